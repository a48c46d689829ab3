#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds twice (RelWithDebInfo, and Debug with
# ASan+UBSan), starts a throwaway PostgreSQL cluster, runs a bounded fuzzing pass, then every
# test under the sanitizers and the tests of the shipped artefacts on the release build, and
# always stops the cluster.
#
# Every test that runs our code runs in the sanitizer build (unit, db, embed, fuzz replay,
# torture, Prisma interop, Lambda, examples). The release build adds what only it can run
# (label package: the install tree and consumer projects, the Lambda zip in an empty chroot,
# the CDK asset) and the unit label again, optimised.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh
jobs=$(nproc)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRATCHET_WARNINGS_AS_ERRORS=ON \
    -DRATCHET_BUILD_TESTS=ON -DRATCHET_BUILD_LAMBDA=ON -DRATCHET_BUILD_EXAMPLES=ON >/dev/null
cmake --build build -j"$jobs"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRATCHET_WARNINGS_AS_ERRORS=ON \
    -DRATCHET_SANITIZE="address;undefined" -DRATCHET_BUILD_TESTS=ON -DRATCHET_BUILD_LAMBDA=ON \
    -DRATCHET_BUILD_EXAMPLES=ON -DRATCHET_INSTALL=OFF >/dev/null
cmake --build build-asan -j"$jobs"
echo "test.sh: built in $(( $(date +%s) - start )) s"

cluster=build/test-pg
trap 'scripts/pg-cluster.sh stop "$cluster"' EXIT
scripts/pg-cluster.sh start "$cluster"
. "$cluster/env"
export RATCHET_TEST_ADMIN_URL

status=0
echo "== fuzzers (libFuzzer, clang, ${FUZZ_SECONDS:-10} s per target)"
tests/fuzz/run.sh build-fuzz "${FUZZ_SECONDS:-10}" || status=1
echo "== every test under ASan+UBSan (leaks included)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" || status=1
echo "== release build: the shipped artefacts (label package) and the unit tests"
ctest --test-dir build --output-on-failure -j"$jobs" -L 'package|unit' || status=1
echo "test.sh: finished in $(( $(date +%s) - start )) s"
exit $status
