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

# Without arguments: every file against Prisma 6.19, then the bookkeeping files against Prisma
# 7.10 (PRISMA7_FILES; project-config.test.mjs covers both majors itself). With PRISMA_MAJOR=6|7:
# the given files (default all) against that major only.
if [ "$#" -gt 0 ]; then files=("$@"); else files=(./*.test.mjs); fi
conc="${INTEROP_CONCURRENCY:-1}"
p6=$(node -p 'require("./node_modules/prisma/package.json").version')
p7=$(node -p 'require("./node_modules/prisma7/package.json").version')
if [ -n "${PRISMA_MAJOR:-}" ]; then
  majors=("$PRISMA_MAJOR")
elif [ "$#" -gt 0 ]; then
  majors=(6)
else
  majors=(6 7)
fi
read -r -a files7 <<< "${PRISMA7_FILES:-./deploy-status.test.mjs ./failed.test.mjs}"

rc=0
for major in "${majors[@]}"; do
  run_files=("${files[@]}")
  if [ "${#majors[@]}" -gt 1 ] && [ "$major" = 7 ]; then run_files=("${files7[@]}"); fi
  version=$p6; [ "$major" = 7 ] && version=$p7
  echo "interop: ratchet=$RATCHET_BIN node=$(node --version) prisma=$version (PRISMA_MAJOR=$major) files=${#run_files[@]} concurrency=$conc"
  set +e
  PRISMA_MAJOR=$major node --test --test-concurrency="$conc" --test-reporter=spec "${run_files[@]}"
  r=$?
  set -e
  [ "$r" -eq 0 ] || rc=$r
  echo "interop: Prisma $version done after $(( $(date +%s) - start )) s (exit $r)"
done

echo "interop: elapsed $(( $(date +%s) - start )) s (exit $rc)"
exit $rc
