#!/usr/bin/env bash
# ctest driver for service-startup: against a port where nothing listens, the service retries
# until its startup deadline, then exits with code 3 and a clear message. Needs no server.
set -euo pipefail
bin=${1:?usage: run-unreachable.sh SERVICE_BINARY}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
start=$(date +%s)
set +e
out=$(DATABASE_URL="postgresql://app:secret-password@127.0.0.1:$port/app" STARTUP_TIMEOUT=3s "$bin" 2>&1)
rc=$?
set -e
elapsed=$(( $(date +%s) - start ))
echo "$out"
echo "exit code $rc after ${elapsed}s"
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ $rc -eq 3 ]] || fail "expected exit code 3, got $rc"
grep -q '^\[service\] error: database not reachable within 3000 ms' <<<"$out" || fail "no clear error message"
grep -q '^\[service\] warn: database not reachable (attempt 1), retrying' <<<"$out" || fail "no retry logged"
grep -q 'secret-password' <<<"$out" && fail "the password leaked into the output"
(( elapsed <= 20 )) || fail "took ${elapsed}s, expected about 3s"
echo "PASS"
