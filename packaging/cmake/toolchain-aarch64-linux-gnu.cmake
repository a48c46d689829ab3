# Cross-compiling ratchet for linux-aarch64 with Debian's g++-aarch64-linux-gnu
# (crossbuild-essential-arm64). Libraries come from the private sysroot of packaging/deps.sh, given
# by full paths; programs (cmake helpers) from the host.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_STRIP aarch64-linux-gnu-strip CACHE FILEPATH "")
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# The package shims are found through explicit <Pkg>_DIR paths outside the root.
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# Run try_run() results and tests under qemu when asked.
find_program(RATCHET_QEMU_AARCH64 qemu-aarch64-static)
if(RATCHET_QEMU_AARCH64)
    set(CMAKE_CROSSCOMPILING_EMULATOR "${RATCHET_QEMU_AARCH64}")
endif()
