#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds (normal, and asan+ubsan), starts a
# throwaway PostgreSQL cluster, runs every ctest label, and always stops the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh
jobs=$(nproc)

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRATCHET_WARNINGS_AS_ERRORS=ON \
    -DRATCHET_BUILD_TESTS=ON -DRATCHET_BUILD_LAMBDA=ON -DRATCHET_BUILD_EXAMPLES=ON >/dev/null
cmake --build build -j"$jobs"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRATCHET_WARNINGS_AS_ERRORS=ON \
    -DRATCHET_SANITIZE="address;undefined" -DRATCHET_BUILD_LAMBDA=ON -DRATCHET_BUILD_EXAMPLES=OFF \
    -DRATCHET_INSTALL=OFF >/dev/null
asan_tests=(ratchet_unit_tests ratchet_db_tests ratchet_embed_tests ratchet_fuzz_replay
            lambda_sigv4_test lambda_unit_test lambda_bootstrap_test)
cmake --build build-asan -j"$jobs" --target "${asan_tests[@]}" ratchet_cli

cluster=build/test-pg
trap 'scripts/pg-cluster.sh stop "$cluster"' EXIT
scripts/pg-cluster.sh start "$cluster"
. "$cluster/env"
export RATCHET_TEST_ADMIN_URL

status=0
echo "== fuzzers (libFuzzer, clang, ${FUZZ_SECONDS:-10} s per target)"
tests/fuzz/run.sh build-fuzz "${FUZZ_SECONDS:-10}" || status=1
echo "== asan+ubsan: unit, database, embed, fuzz-replay and Lambda tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -R '^(unit|db|embed|fuzz_replay|lambda_sigv4_test|lambda_unit_test|lambda_bootstrap_test)$' || status=1
echo "== all tests"
ctest --test-dir build --output-on-failure -j"$jobs" || status=1
echo "test.sh: finished in $(( $(date +%s) - start )) s"
exit $status
