#!/usr/bin/env bash
# Interoperability tests: ratchet against real Prisma 6.19 (offline, WASM schema engine) and the
# configuration resolution of real Prisma 6.19 and 7.10 projects (recording schema engine).
# Usage: RATCHET_BIN=/path/to/ratchet RATCHET_TEST_ADMIN_URL=postgresql://postgres@127.0.0.1:PORT/postgres \
#        tests/interop/run.sh [test files...]
# Env: INTEROP_CONCURRENCY (default 1) -- how many test files run at once.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
start=$(date +%s)

fail() { echo "interop: ERROR: $*" >&2; exit 2; }

[ -n "${RATCHET_BIN:-}" ] || fail "RATCHET_BIN is not set (path to the ratchet CLI binary)"
[ -n "${RATCHET_TEST_ADMIN_URL:-}" ] || fail "RATCHET_TEST_ADMIN_URL is not set (e.g. postgresql://postgres@127.0.0.1:PORT/postgres)"
case "$RATCHET_BIN" in /*) ;; *) RATCHET_BIN="$(cd "$OLDPWD" && cd "$(dirname "$RATCHET_BIN")" && pwd)/$(basename "$RATCHET_BIN")" ;; esac
export RATCHET_BIN RATCHET_TEST_ADMIN_URL
[ -x "$RATCHET_BIN" ] || fail "RATCHET_BIN=$RATCHET_BIN is not an executable file"
command -v node >/dev/null || fail "node is not installed"
command -v npm >/dev/null || fail "npm is not installed"

if [ ! -d node_modules/prisma ] || [ ! -d node_modules/@prisma/adapter-pg ] || [ ! -d node_modules/pg ] ||
   [ ! -d node_modules/prisma7 ] || [ ! -d node_modules/dotenv ]; then
  echo "interop: installing npm dependencies (npm ci)"
  # --ignore-scripts: Prisma's install scripts would try to download native engines;
  # the tests only use the WebAssembly engine shipped inside the package.
  npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
fi

# Fail fast with a clear message if the server is unreachable.
node -e '
  const pg = require("pg");
  const c = new pg.Client({ connectionString: process.env.RATCHET_TEST_ADMIN_URL, connectionTimeoutMillis: 5000 });
  c.connect().then(() => c.end()).catch((e) => { console.error("interop: ERROR: cannot connect to RATCHET_TEST_ADMIN_URL: " + e.message); process.exit(2); });
'

if [ "$#" -gt 0 ]; then files=("$@"); else files=(./*.test.mjs); fi
conc="${INTEROP_CONCURRENCY:-1}"
echo "interop: ratchet=$RATCHET_BIN node=$(node --version) prisma=$(node -p 'require("./node_modules/prisma/package.json").version'),$(node -p 'require("./node_modules/prisma7/package.json").version') files=${#files[@]} concurrency=$conc"

set +e
node --test --test-concurrency="$conc" --test-reporter=spec "${files[@]}"
rc=$?
set -e

echo "interop: elapsed $(( $(date +%s) - start )) s (exit $rc)"
exit $rc
