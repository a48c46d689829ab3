#!/usr/bin/env bash
# Builds the portable `ratchet` CLI and the Lambda zip for one architecture: fully static executables
# (glibc, libstdc++, libpq, OpenSSL, libpg_query linked in; spdlog/fmt header-only) that start on any
# Linux kernel >= 3.2 with any libc or none. The existing CMake project is driven from outside (cache variables, package shims,
# a toolchain file for aarch64); src/, cli/ and CMakeLists.txt are unchanged. See packaging/README.md.
# Usage: packaging/build-portable.sh [--source DIR] x86_64|aarch64 [BUILD_DIR]
#   → BUILD_DIR/dist/ratchet (stripped) and BUILD_DIR/lambda/ratchet-lambda.zip (bootstrap = the static
#   runtime; env RATCHET_LAMBDA_MIGRATIONS_DIR / RATCHET_LAMBDA_CA_BUNDLE as the CMake options).
#   --source builds another source tree (scripts/release.sh passes
#   a `git archive` export of a commit); default: this working tree.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/.." && pwd)
if [[ "${1:-}" == --source ]]; then src=$(cd "${2:?--source needs a directory}" && pwd); shift 2; fi
arch=${1:?usage: build-portable.sh [--source DIR] x86_64|aarch64 [BUILD_DIR]}
case "$arch" in
    x86_64) default_build=build-x64-portable cc=gcc strip=strip toolchain=() ;;
    aarch64) default_build=build-arm64 cc=aarch64-linux-gnu-gcc strip=aarch64-linux-gnu-strip
             toolchain=(-DCMAKE_TOOLCHAIN_FILE="$here/cmake/toolchain-aarch64-linux-gnu.cmake") ;;
    *) echo "build-portable.sh: unknown architecture '$arch' (x86_64 or aarch64)" >&2; exit 2 ;;
esac
build=${2:-$here/../$default_build}
mkdir -p "$build"
build=$(cd "$build" && pwd -P)
sysroot="$build/sysroot"
# A build dir configured from another source tree (working tree vs. a release export) starts afresh.
if [[ -f "$build/CMakeCache.txt" ]] && ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$src" "$build/CMakeCache.txt"; then
    rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"
fi
"$here/deps.sh" "$arch" "$sysroot"

# Paths never end up in the binary: sources and build dir are mapped to '.'. -Wno-error=restrict: GCC 12's
# false positive in std::string::replace at -O3 (GCC PR 105651) stops lint/src/format.cpp otherwise.
prefix_map="-ffile-prefix-map=$src/=./ -ffile-prefix-map=$build/=./"
"$cc" -std=c11 -O2 -Wall -Wextra -Werror $prefix_map -c "$here/src/portable_support.c" \
    -o "$build/portable_support.o"

lib="$sysroot/lib"
# libpg_query.a (lint) carries its own copy of PostgreSQL 15's src/common (encnames, wchar, string),
# which libpgcommon.a (libpq) also defines; a shared libpq hides them, a static link sees both. The
# definitions are the same PostgreSQL 15 code, so the first one (libpg_query's) is kept.
extra_libs="-Wl,--start-group $lib/libpq.a $lib/libpgcommon.a $lib/libpgport.a $lib/libssl.a"
extra_libs+=" $lib/libcrypto.a -Wl,--end-group $build/portable_support.o"
cmake -S "$src" -B "$build" -G Ninja "${toolchain[@]}" \
    -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_SHARED_LIBS=OFF \
    -DRATCHET_BUILD_CLI=ON -DRATCHET_BUILD_TESTS=OFF -DRATCHET_BUILD_EXAMPLES=OFF \
    -DRATCHET_BUILD_LAMBDA=ON -DRATCHET_LAMBDA_STATIC=ON -DRATCHET_BUILD_BENCH=OFF -DRATCHET_INSTALL=OFF \
    -DRATCHET_LAMBDA_MIGRATIONS_DIR="${RATCHET_LAMBDA_MIGRATIONS_DIR:-$src/examples/blog/migrations}" \
    -DRATCHET_LAMBDA_CA_BUNDLE="${RATCHET_LAMBDA_CA_BUNDLE:-}" \
    -DRATCHET_WARNINGS_AS_ERRORS=ON \
    -DCMAKE_CXX_FLAGS="$prefix_map -Wno-error=restrict" \
    -DCMAKE_EXE_LINKER_FLAGS="-static -Wl,--allow-multiple-definition" \
    -DCMAKE_CXX_STANDARD_LIBRARIES="$extra_libs" \
    -DPostgreSQL_INCLUDE_DIR="$sysroot/include" -DPostgreSQL_LIBRARY="$lib/libpq.a" \
    -DOPENSSL_USE_STATIC_LIBS=ON -DOPENSSL_INCLUDE_DIR="$sysroot/include" \
    -DOPENSSL_CRYPTO_LIBRARY="$lib/libcrypto.a" -DOPENSSL_SSL_LIBRARY="$lib/libssl.a" \
    -Dspdlog_DIR="$here/cmake/shims/spdlog" -DCLI11_DIR="$here/cmake/shims/CLI11" \
    -Dnlohmann_json_DIR="$here/cmake/shims/nlohmann_json" \
    -DRATCHET_PG_QUERY_INCLUDE_DIR="$sysroot/include" -DRATCHET_PG_QUERY_LIBRARY="$lib/libpg_query.a" \
    -DRATCHET_PORTABLE_EXTRA_INCLUDE="$sysroot/include-extra" >"$build/configure.log" ||
    { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" --target ratchet_cli ratchet_lambda_zip -j"${RATCHET_JOBS:-2}"

mkdir -p "$build/dist"
"$strip" --strip-all -o "$build/dist/ratchet" "$build/cli/ratchet"
chmod 0755 "$build/dist/ratchet"
if readelf -l "$build/dist/ratchet" | grep -q INTERP || readelf -d "$build/dist/ratchet" 2>/dev/null | grep -q NEEDED; then
    echo "build-portable.sh: $build/dist/ratchet is not fully static" >&2
    exit 1
fi
echo "$build/lambda/ratchet-lambda.zip ($(stat -c %s "$build/lambda/ratchet-lambda.zip") bytes, static bootstrap, $arch)"
echo "$build/dist/ratchet ($(stat -c %s "$build/dist/ratchet") bytes, static, $arch)"
