#!/usr/bin/env bash
# The whole test suite: installs what is missing, checks formatting, builds twice (Release, and
# Debug with ASan+UBSan), starts a throwaway PostgreSQL cluster (TLS with a test CA, PgBouncer in
# transaction and session mode in front of it), runs a bounded fuzzing pass, then every test
# under the sanitizers and the tests of the shipped artefacts on the release build, and always
# stops the cluster.
#
# Every test that runs our code runs in the sanitizer build (unit, db, embed, fuzz replay,
# torture, fleet, lint, Prisma interop, Lambda, examples). The release build adds what only it
# can run: label package (the install tree and consumer projects, the Lambda zip in an empty
# chroot, the CDK package and provider-framework harness, the portable static binaries from an
# empty root, x86_64 and aarch64 under qemu, and the npm packages) and label matrix
# (PostgreSQL 13 and 18; the full 13-18 matrix is tests/matrix/run.sh BUILD_DIR 13 14 15 16 17 18).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
stage() { echo "== $* (at $(( $(date +%s) - start )) s)"; }
scripts/install-deps.sh
jobs=$(nproc)

stage "formatting"
scripts/check-format.sh

stage "release build"
# -O2 without debug info: what ships, built faster (and clear of GCC 12's -O3 -Wrestrict noise).
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DRATCHET_WARNINGS_AS_ERRORS=ON -DRATCHET_BUILD_TESTS=ON -DRATCHET_BUILD_LAMBDA=ON \
    -DRATCHET_BUILD_EXAMPLES=ON >/dev/null
cmake --build build -j"$jobs"
stage "ASan+UBSan build"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRATCHET_WARNINGS_AS_ERRORS=ON \
    -DRATCHET_SANITIZE="address;undefined" -DRATCHET_BUILD_TESTS=ON -DRATCHET_BUILD_LAMBDA=ON \
    -DRATCHET_BUILD_EXAMPLES=ON -DRATCHET_INSTALL=OFF >/dev/null
cmake --build build-asan -j"$jobs"

cluster=build/test-pg
trap 'scripts/pg-cluster.sh stop "$cluster"' EXIT
scripts/pg-cluster.sh start "$cluster"
. "$cluster/env"
export RATCHET_TEST_ADMIN_URL

status=0
stage "fuzzers (libFuzzer, clang, ${FUZZ_SECONDS:-5} s per target)"
tests/fuzz/run.sh build-fuzz "${FUZZ_SECONDS:-5}" || status=1
stage "every test under ASan+UBSan (leaks included)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" || status=1
stage "release build: the shipped artefacts (label package) and the PostgreSQL matrix (13, 18)"
ctest --test-dir build --output-on-failure -j"$jobs" -L 'package|matrix' || status=1
stage "finished, exit $status"
exit $status
