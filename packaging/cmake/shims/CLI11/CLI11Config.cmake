# Portable build only: CLI11 from the copied headers (never the host's /usr/include when cross-building).
if(NOT TARGET CLI11::CLI11)
    add_library(CLI11::CLI11 INTERFACE IMPORTED)
    set_target_properties(CLI11::CLI11 PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${RATCHET_PORTABLE_EXTRA_INCLUDE}")
endif()
set(CLI11_FOUND TRUE)
