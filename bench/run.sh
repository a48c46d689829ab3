#!/usr/bin/env bash
# ratchet side by side with psql (the floor), dbmate, node-pg-migrate and Prisma 6.19 (WASM engine).
#
#   bench/run.sh                 full run (~15-20 min on 2 cores): installs what is missing, builds
#                                ratchet (Release) in bench/.build, starts a throwaway PostgreSQL,
#                                measures W1-W5 and L1, writes bench/results/<date>.json, latest.md, *.png
#   bench/run.sh --quick         2 repetitions + warm-up, for checking the harness (not for publishing)
#
# Environment: BENCH_REPS (default 5), BENCH_SLOW_REPS (Prisma; default 5), BENCH_ONLY (e.g. W1,W2),
#              BENCH_W2_REPS (W2/W2F runs of floor, ratchet, dbmate, library; default 20),
#              BENCH_TOOLS (e.g. floor,ratchet), BENCH_JOBS (build parallelism, default 2),
#              BENCH_LAMBDA_ZIP (an existing Lambda zip for L1 instead of building ratchet_lambda_zip).
# Needs root (or sudo) only when Debian packages are missing. See bench/README.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
reps="${BENCH_REPS:-5}"; slow_reps="${BENCH_SLOW_REPS:-5}"
if [[ "${1:-}" == "--quick" ]]; then reps=2; slow_reps=2; fi
only="${BENCH_ONLY:-S1,W1,W2,W2F,W3,W4,W5,L1}"
tools="${BENCH_TOOLS:-floor,ratchet,ratchet-lib,dbmate,node-pg-migrate,prisma}"
say() { echo "bench: $*" >&2; }

# ---- 1. Debian packages ----------------------------------------------------------------------
need=()
[[ -x /usr/bin/time ]] || need+=(time)
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || need+=(python3-matplotlib)
command -v unzip >/dev/null || need+=(unzip)
command -v zip >/dev/null || need+=(zip)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v psql >/dev/null || need+=(postgresql-client)
command -v cmake >/dev/null || need+=(cmake)
command -v ninja >/dev/null || need+=(ninja-build)
if ((${#need[@]})); then
    say "installing Debian packages: ${need[*]}"
    sudo_=(); [[ $(id -u) -eq 0 ]] || sudo_=(sudo)
    "${sudo_[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
fi
# ratchet's own build dependencies (libpq, OpenSSL, spdlog, CLI11, nlohmann-json, curl, ...): a no-op when present.
"$root/scripts/install-deps.sh"

# ---- 2. npm packages -------------------------------------------------------------------------
if [[ ! -x "$here/node_modules/@dbmate/linux-x64/bin/dbmate" || ! -d "$here/node_modules/node-pg-migrate" ]]; then
    say "npm ci (dbmate, node-pg-migrate, pg) in bench/"
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
if [[ ! -d "$root/tests/interop/node_modules/prisma" || ! -d "$root/tests/interop/node_modules/@prisma/adapter-pg" ]]; then
    say "npm ci in tests/interop (Prisma 6.19 + adapter; its lock file, scripts ignored as its run.sh does)"
    (cd "$root/tests/interop" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi

# ---- 3. ratchet, Release -----------------------------------------------------------------------
say "building ratchet (Release) in bench/.build"
cmake -S "$root" -B "$here/.build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRATCHET_BUILD_BENCH=ON \
      -DRATCHET_BUILD_TESTS=OFF -DRATCHET_BUILD_EXAMPLES=OFF -DRATCHET_BUILD_LAMBDA=ON -DRATCHET_INSTALL=OFF >/dev/null
cmake --build "$here/.build" -j "${BENCH_JOBS:-2}" --target ratchet_cli ratchet_bench ratchet_syscall_floor >/dev/null
lambda_zip="${BENCH_LAMBDA_ZIP:-}"   # BENCH_LAMBDA_ZIP=path: measure that zip instead of building one
if [[ -n "$lambda_zip" ]]; then
    say "L1 uses $lambda_zip"
elif cmake --build "$here/.build" -j "${BENCH_JOBS:-2}" --target ratchet_lambda_zip >/dev/null 2>&1; then
    lambda_zip="$here/.build/lambda/ratchet-lambda.zip"
else
    say "WARNING: ratchet_lambda_zip did not build; L1 is skipped"
fi

# ---- 4. PostgreSQL -----------------------------------------------------------------------------
work="$here/work"
mkdir -p "$work"
pgdir="$work/pg"
cleanup() { "$root/scripts/pg-cluster.sh" stop "$pgdir" || true; }
trap cleanup EXIT INT TERM
"$root/scripts/pg-cluster.sh" start "$pgdir" >&2
# shellcheck disable=SC1091
source "$pgdir/env"
export RATCHET_TEST_ADMIN_URL RATCHET_TEST_PORT RATCHET_TEST_PGBIN RATCHET_TEST_PGDATA

# ---- 5. measure, then tables and plots ---------------------------------------------------------
json=$(/usr/bin/python3 "$here/bench.py" --work "$work" --out "$here/results" \
       --ratchet "$here/.build/cli/ratchet" --ratchet-bench "$here/.build/bench/ratchet_bench" \
       --syscall-floor "$here/.build/bench/syscall_floor" \
       ${lambda_zip:+--lambda-zip "$lambda_zip"} --reps "$reps" --slow-reps "$slow_reps" \
       --w2-reps "${BENCH_W2_REPS:-$([[ $reps -le 2 ]] && echo 2 || echo 20)}" \
       --tools "$tools" --only "$only")
/usr/bin/python3 "$here/report.py" "$json" --ratchet "$here/.build/cli/ratchet" --out "$here/results"
say "seed job: ratchet's bootstrap vs the seed's Node 20 + prisma migrate deploy Lambda"
N="$reps" RATCHET_LAMBDA_ZIP="${lambda_zip:-}" "$here/seed-job/run.sh" || say "WARNING: seed-job failed"
say "done: $json, $here/results/latest.md, w5.png, w1_w2.png"
