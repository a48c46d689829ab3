#!/usr/bin/env bash
# ctest driver for service-startup: creates a scratch database on the test server
# (RATCHET_TEST_ADMIN_URL, as scripts/test.sh sets it), starts the service twice and checks
# that the first start applies both migrations and the second finds nothing to do.
# Without a server: skipped (exit 77), except in CI (CI=true), where that is a failure.
set -euo pipefail
bin=${1:?usage: run-test.sh SERVICE_BINARY}
if [[ -z "${RATCHET_TEST_ADMIN_URL:-}" ]]; then
    if [[ "${CI:-}" == true ]]; then
        echo "FAIL: RATCHET_TEST_ADMIN_URL is not set: no PostgreSQL server for the example (CI must have one)" >&2
        exit 1
    fi
    echo "SKIP: RATCHET_TEST_ADMIN_URL is not set (run the tests through scripts/test.sh)"
    exit 77
fi
db="ratchet_example_service_$$"
admin=$RATCHET_TEST_ADMIN_URL
psql -X -q -v ON_ERROR_STOP=1 "$admin" -c "CREATE DATABASE $db"
trap 'psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
url="${admin%/*}/$db"

fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== first start (applies the migrations)"
out=$(DATABASE_URL="$url" STARTUP_TIMEOUT=30s "$bin" 2>&1) || fail "service exited with $?: $out"
echo "$out"
grep -q '^\[service\] info: applied 20240301000000_create_visits' <<<"$out" || fail "first migration not applied"
grep -q '^\[service\] info: applied 20240302000000_visit_source' <<<"$out" || fail "second migration not applied"
grep -q '^visits=1$' <<<"$out" || fail "expected visits=1"

echo "== second start (nothing to apply)"
out=$(DATABASE_URL="$url" STARTUP_TIMEOUT=30s "$bin" 2>&1) || fail "service exited with $?: $out"
echo "$out"
grep -q 'no pending migrations' <<<"$out" || fail "second start applied something"
grep -q '^visits=2$' <<<"$out" || fail "expected visits=2"

rows=$(psql -X -A -t "$url" -c "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL")
[[ "$rows" == 2 ]] || fail "expected 2 finished rows in _prisma_migrations, got $rows"
echo "PASS"
