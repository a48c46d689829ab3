#!/usr/bin/env bash
# bench/lint: ratchet lint vs squawk (npm @squawk-cli/linux-x64, pinned) on 200 and 10,000
# generated migrations, and the extra cost of --url. Usage: bench/lint/run.sh RATCHET_BIN
# (RATCHET_TEST_ADMIN_URL set: the database-aware rows too, e.g. after scripts/pg-cluster.sh).
set -euo pipefail
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
[ -x node_modules/@squawk-cli/linux-x64/bin/squawk ] || npm ci --no-audit --no-fund --loglevel=error
exec python3 bench.py "$bin" "$here/node_modules/@squawk-cli/linux-x64/bin/squawk" "${RATCHET_TEST_ADMIN_URL:-}"
