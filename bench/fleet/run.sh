#!/usr/bin/env bash
# Fleet bench: N tenant schemas x M migrations on one database, four ways:
#   fleet   `ratchet deploy --targets FILE --parallel P` (one process, the fleet lock)
#   loop    a shell loop of `ratchet deploy --url URL?schema=tenant_i` (one process per tenant)
#   floor   the same DDL through one psql session (CREATE SCHEMA, then each migration in its own
#           transaction; no history table, no lock, no reading of files): the server-side floor
#   status  a no-op `ratchet status --targets FILE` over the N migrated schemas
# Each of fleet/loop/floor runs on a fresh database. Figures are wall times of one run each.
#
#   bench/fleet/run.sh                      N=1000 M=20 P=4, on a throwaway cluster it starts
#   BENCH_FLEET_N=100 bench/fleet/run.sh    smaller
# Environment: BENCH_FLEET_N, BENCH_FLEET_M, BENCH_FLEET_P, RATCHET_BIN (default: a Release
# build in build-fleet/rel), RATCHET_TEST_ADMIN_URL (use that server instead of starting one),
# BENCH_FLEET_LOOP_N (tenants for the shell loop, extrapolated linearly to N; default N).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
n="${BENCH_FLEET_N:-1000}"; m="${BENCH_FLEET_M:-20}"; p="${BENCH_FLEET_P:-4}"
loop_n="${BENCH_FLEET_LOOP_N:-$n}"
work="$root/build-fleet/bench"
mkdir -p "$work"
bin="${RATCHET_BIN:-$root/build-fleet/rel/cli/ratchet}"
if [[ ! -x "$bin" ]]; then
    cmake -S "$root" -B "$root/build-fleet/rel" -G Ninja -DCMAKE_BUILD_TYPE=Release -DRATCHET_BUILD_TESTS=OFF \
          -DRATCHET_BUILD_EXAMPLES=OFF -DRATCHET_BUILD_LAMBDA=OFF -DRATCHET_INSTALL=OFF >/dev/null
    cmake --build "$root/build-fleet/rel" --target ratchet_cli -j2 >/dev/null
fi
started=0
if [[ -z "${RATCHET_TEST_ADMIN_URL:-}" ]]; then
    "$root/scripts/pg-cluster.sh" start "$work/pg" >&2
    # shellcheck disable=SC1091
    . "$work/pg/env"
    started=1
fi
cleanup() { if ((started)); then "$root/scripts/pg-cluster.sh" stop "$work/pg" >&2 || true; fi; }
trap cleanup EXIT
admin="$RATCHET_TEST_ADMIN_URL"
base="${admin%/*}"

# migrations: a table, an index and a column per migration
mig="$work/migrations"
rm -rf "$mig"; mkdir -p "$mig"
for ((k = 1; k <= m; k++)); do
    d=$(printf '%s/2024010100%04d_m%d' "$mig" "$k" "$k"); mkdir -p "$d"
    printf 'CREATE TABLE t%d (id bigserial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());\nCREATE INDEX t%d_name ON t%d (name);\nALTER TABLE t%d ADD COLUMN note text;\n' \
        "$k" "$k" "$k" "$k" > "$d/migration.sql"
done

fresh_db() { psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null 2>&1; }
targets_for() {  # database -> targets file
    local f="$work/targets_$1.txt"; : > "$f"
    for ((i = 0; i < n; i++)); do echo "tenant_$i $base/$1?schema=tenant_$i" >> "$f"; done
    echo "$f"
}
now_ms() { date +%s%3N; }
declare -A result

# 1. fleet mode
fresh_db bench_fleet
tf=$(targets_for bench_fleet)
t0=$(now_ms); "$bin" deploy --dir "$mig" --targets "$tf" --parallel "$p" -q; t1=$(now_ms)
result[fleet]=$((t1 - t0))
applied=$(psql -X -At "$base/bench_fleet" -c "SELECT sum(c) FROM (SELECT (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I._prisma_migrations WHERE finished_at IS NOT NULL', nspname), false, true, '')))[1]::text::int AS c FROM pg_namespace WHERE nspname LIKE 'tenant\_%') x")
[[ "$applied" == "$((n * m))" ]] || { echo "fleet applied $applied rows, expected $((n * m))" >&2; exit 1; }

# 2. no-op status over the fleet
t0=$(now_ms); "$bin" status --dir "$mig" --targets "$tf" --parallel "$p" -q; t1=$(now_ms)
result[status]=$((t1 - t0))
t0=$(now_ms); "$bin" deploy --dir "$mig" --targets "$tf" --parallel "$p" -q; t1=$(now_ms)
result[noop_deploy]=$((t1 - t0))

# 3. shell loop of ratchet deploy
fresh_db bench_loop
t0=$(now_ms)
for ((i = 0; i < loop_n; i++)); do "$bin" deploy --dir "$mig" --url "$base/bench_loop?schema=tenant_$i" -q; done
t1=$(now_ms)
result[loop]=$(((t1 - t0) * n / loop_n))

# 4. psql floor: the same DDL in one session
fresh_db bench_floor
sql="$work/floor.sql"; : > "$sql"
for ((i = 0; i < n; i++)); do
    echo "CREATE SCHEMA tenant_$i; SET search_path = tenant_$i;" >> "$sql"
    for d in "$mig"/*/; do { echo "BEGIN;"; cat "$d/migration.sql"; echo "COMMIT;"; } >> "$sql"; done
done
t0=$(now_ms); psql -X -q -v ON_ERROR_STOP=1 "$base/bench_floor" -f "$sql" >/dev/null; t1=$(now_ms)
result[floor]=$((t1 - t0))

for db in bench_fleet bench_loop bench_floor; do psql -X -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1; done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
{
    echo "fleet bench: $n schemas x $m migrations, parallel $p, $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$root" rev-parse --short HEAD)"
    echo "| run | wall time | vs floor |"
    echo "|---|---:|---:|"
    echo "| psql floor (one session, same DDL) | ${result[floor]} ms | 1.00x |"
    echo "| ratchet fleet (--parallel $p) | ${result[fleet]} ms | $(ratio "${result[fleet]}" "${result[floor]}")x |"
    echo "| shell loop of ratchet deploy$( ((loop_n != n)) && echo " ($loop_n run, extrapolated)") | ${result[loop]} ms | $(ratio "${result[loop]}" "${result[floor]}")x |"
    echo "| no-op status over the fleet | ${result[status]} ms | |"
    echo "| no-op deploy over the fleet | ${result[noop_deploy]} ms | |"
    echo "fleet vs loop: $(ratio "${result[loop]}" "${result[fleet]}")x faster"
} | tee "$work/result.md"
