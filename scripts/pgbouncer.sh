#!/usr/bin/env bash
# PgBouncer in front of a throwaway cluster (scripts/pg-cluster.sh), for the pooler tests.
#   pgbouncer.sh start DIR PGPORT -> two PgBouncers on free loopback ports: transaction mode and
#                                    session mode, pool size 2, any database and user (trust);
#                                    appends their ports and URLs to DIR/env.
#   pgbouncer.sh stop DIR         -> stops them.
# As root, PgBouncer runs as the `postgres` user (it refuses to run as root).
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?directory}
bin=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
[[ -x "$bin" ]] || { echo "pgbouncer.sh: pgbouncer not found (apt-get install pgbouncer)" >&2; exit 1; }

as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
start)
    pgport=${3:?PostgreSQL port}
    for mode in transaction session; do
        d="$dir/pgbouncer-$mode"; mkdir -p "$d"
        port=$(free_port)
        cat >"$d/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$pgport user=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $port
unix_socket_dir =
auth_type = any
pool_mode = $mode
default_pool_size = 2
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,application_name,options
server_reset_query = DISCARD ALL
logfile = $d/pgbouncer.log
pidfile = $d/pgbouncer.pid
INI
        [[ $(id -u) -eq 0 ]] && chown -R postgres: "$d"
        as_owner "$bin" -d "$d/pgbouncer.ini" >/dev/null
        for _ in $(seq 50); do
            python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2).close()" 2>/dev/null && break
            sleep 0.1
        done
        upper=${mode^^}
        echo "export RATCHET_TEST_PGBOUNCER_${upper}_PORT=$port" >>"$dir/env"
    done
    echo "pgbouncer.sh: $("$bin" --version | head -1) transaction + session mode in front of port $pgport"
    ;;
stop)
    for mode in transaction session; do
        pidfile="$dir/pgbouncer-$mode/pgbouncer.pid"
        [[ -f "$pidfile" ]] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    ;;
*) echo "usage: $0 start DIR PGPORT | stop DIR" >&2; exit 2 ;;
esac
