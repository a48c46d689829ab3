#!/usr/bin/env bash
# The seed's job, end to end: ratchet's Lambda bootstrap vs the seed's Node 20 handler running
# `prisma migrate deploy` (Prisma 6.19, WebAssembly engine), both cold, both through the same local
# Runtime API emulator and ResponseURL server, against the same throwaway PostgreSQL.
# Usage: bench/seed-job/run.sh            (N=5 rounds; N=1 for a smoke run)
# Env:   N                  rounds (default 5)
#        RATCHET_LAMBDA_ZIP ratchet's Lambda zip (default: build-cdk, build-lambda or build-seed's
#                           lambda/ratchet-lambda.zip; built in build-seed when none exists)
#        SEED_JOB_OUT       results directory (default bench/seed-job/results)
#        SEED_JOB_CHROOT    1: run ratchet chroot'ed into its unzipped package, an empty root
#                           (default when root); 0: from the plain directory
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${SEED_JOB_OUT:-$here/results}"
rounds="${N:-5}"
say() { echo "seed-job: $*" >&2; }
fail() { echo "seed-job: ERROR: $*" >&2; exit 2; }

[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || fail "N must be a positive integer, got '$rounds'"
command -v node >/dev/null || fail "node is not installed (scripts/install-deps.sh)"
command -v npm >/dev/null || fail "npm is not installed (scripts/install-deps.sh)"
command -v zip >/dev/null && command -v unzip >/dev/null || fail "zip and unzip are needed (apt-get install zip unzip)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" = 20 ] || say "warning: node $(node --version), the seed targets Node 20"

# ratchet's Lambda zip.
zip_in="${RATCHET_LAMBDA_ZIP:-}"
if [ -z "$zip_in" ]; then
    for d in build-cdk build-lambda build-seed; do
        if [ -f "$root/$d/lambda/ratchet-lambda.zip" ]; then zip_in="$root/$d/lambda/ratchet-lambda.zip"; break; fi
    done
fi
if [ -z "$zip_in" ]; then
    say "building ratchet's Lambda zip in build-seed"
    cmake -S "$root" -B "$root/build-seed" -DCMAKE_BUILD_TYPE=Release -DRATCHET_BUILD_TESTS=OFF \
        -DRATCHET_BUILD_EXAMPLES=OFF -DRATCHET_BUILD_LAMBDA=ON >/dev/null
    cmake --build "$root/build-seed" --target ratchet_lambda_zip -j2
    zip_in="$root/build-seed/lambda/ratchet-lambda.zip"
fi
[ -f "$zip_in" ] || fail "no Lambda zip at $zip_in"

# The seed's npm dependencies (Prisma CLI 6.19 + adapter + pg). --ignore-scripts: the install
# scripts would download native engines, which this machine cannot; the WASM engine ships inside.
if [ ! -d "$here/node_modules/prisma" ] || [ ! -d "$here/node_modules/@prisma/adapter-pg" ] || [ ! -d "$here/node_modules/pg" ]; then
    say "npm ci (prisma 6.19, @prisma/adapter-pg, pg)"
    (cd "$here" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

work="$out/work"
rm -rf "$work"
mkdir -p "$work"

# ratchet: the zip unzipped as Lambda extracts it to /var/task; run chroot'ed into it (an empty
# root: no /etc, /usr or shell) when we are root, else from the plain directory.
unzip -q "$zip_in" -d "$work/ratchet"
ratchet_zip="$work/ratchet.zip"
cp "$zip_in" "$ratchet_zip"

# The seed: handler + runtime loop + Prisma CLI (WASM engine) + migrations in the function
# directory, as the seed's afterBundling hooks lay it out (node_modules/prisma, prisma/). The node
# binary itself is the Lambda Node 20 runtime's and is not counted, as it is not in the seed's zip.
seed="$work/seed"
mkdir -p "$seed/prisma" "$seed/engines"
cp "$here/seed-function/runtime.mjs" "$here/seed-function/handler.mjs" "$here/seed-function/prisma.config.mjs" "$seed/"
cp "$here/seed-function/prisma/schema.prisma" "$seed/prisma/"
cp -r "$root/examples/blog/migrations" "$seed/prisma/migrations"
cp "$root/tests/interop/lib/adapter.mjs" "$root/tests/interop/lib/preload-unref-timers.cjs" "$seed/"
cp -r "$here/node_modules" "$seed/node_modules"
rm -f "$seed/node_modules/.package-lock.json"
# Files only need to exist so the CLI does not try to download the native engines
# (tests/interop/lib/prisma.mjs does the same); the WASM engine does the work through the adapter.
: > "$seed/engines/libquery_engine-dummy.so.node"
printf '#!/bin/sh\necho "native schema engine not available: the WebAssembly engine is used" >&2\nexit 1\n' > "$seed/engines/schema-engine-dummy"
chmod 755 "$seed/engines/schema-engine-dummy"
echo '{"name":"lambda-migration","version":"1.0.0","type":"module","dependencies":{"prisma":"*"}}' > "$seed/package.json"
seed_zip="$work/seed.zip"
(cd "$seed" && zip -qr -X "$seed_zip" .)

# A throwaway PostgreSQL (fsync off, loopback, free port); always stopped.
pgdir="$work/pg"
"$root/scripts/pg-cluster.sh" start "$pgdir" >/dev/null
trap '"$root/scripts/pg-cluster.sh" stop "$pgdir" >/dev/null 2>&1 || true' EXIT
# shellcheck disable=SC1091
. "$pgdir/env"

say "ratchet: $zip_in; seed: prisma $(node -p "require('$here/node_modules/prisma/package.json').version") (WebAssembly engine), node $(node --version); $rounds round(s); load $(cut -d' ' -f1-3 /proc/loadavg)"
chroot_="${SEED_JOB_CHROOT:-}"
if [ -z "$chroot_" ]; then
    if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/chroot ]; then chroot_=1; else chroot_=0; fi
fi
node "$here/harness.mjs" --ratchet "$work/ratchet" --ratchet-chroot "$chroot_" --seed "$seed" --ratchet-zip "$ratchet_zip" --ratchet-zip-source "$zip_in" --seed-zip "$seed_zip" \
    --admin-url "$RATCHET_TEST_ADMIN_URL" --rounds "$rounds" --out "$out/seed-job.json" --logs "$work/logs"
