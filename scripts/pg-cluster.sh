#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and examples.
#   pg-cluster.sh start DIR   -> initdb into DIR (fsync off, trust auth, loopback, free port),
#                                start it, and write DIR/env with RATCHET_TEST_ADMIN_URL etc.
#   pg-cluster.sh stop DIR    -> stop it (fast shutdown) and remove DIR.
# As root, the cluster runs as the `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?directory}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[[ -x "$bindir/initdb" ]] || { echo "pg-cluster: PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
start)
    rm -rf "$dir"; mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    # The parents must be traversable by the postgres user.
    [[ $(id -u) -eq 0 ]] && { p="$dir"; while [[ "$p" != / ]]; do p=$(dirname "$p"); chmod o+x "$p" 2>/dev/null || true; done; }
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 -N >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-F -p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c full_page_writes=off -c synchronous_commit=off" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    cat >"$dir/env" <<ENV
export RATCHET_TEST_PGBIN=$bindir
export RATCHET_TEST_PGDATA=$dir/data
export RATCHET_TEST_PORT=$port
export RATCHET_TEST_ADMIN_URL=postgresql://postgres@127.0.0.1:$port/postgres
ENV
    echo "pg-cluster: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir/data)"
    ;;
stop)
    if [[ -d "$dir/data" ]]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
