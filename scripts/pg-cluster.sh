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

# A test CA, a server certificate for 127.0.0.1/localhost signed by it, a client identity
# (PKCS#12, password p12-Secret-pw, CN ratchet-test-client) and an unrelated CA (EC keys: fast).
make_test_pki() {
    local d=$1
    mkdir -p "$d"
    (
        cd "$d"
        ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
        openssl req -x509 "${ec[@]}" -days 3 -subj /CN=ratchet-test-ca -keyout ca.key -out ca.pem
        openssl req -x509 "${ec[@]}" -days 3 -subj /CN=ratchet-other-ca -keyout other-ca.key -out other-ca.pem
        openssl req "${ec[@]}" -subj /CN=127.0.0.1 -keyout server.key -out server.csr
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3 -extfile server.ext -out server.crt
        openssl req "${ec[@]}" -subj /CN=ratchet-test-client -keyout client.key -out client.csr
        openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3 -out client.crt
        openssl pkcs12 -export -inkey client.key -in client.crt -passout pass:p12-Secret-pw -out client.p12
    ) >/dev/null 2>&1
    chmod 600 "$d/server.key"
    [[ $(id -u) -eq 0 ]] && chown -R postgres: "$d"
    chmod 644 "$d/ca.pem" "$d/other-ca.pem" "$d/client.p12"
    chmod o+rx "$d"
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
    tls_options=""
    if command -v openssl >/dev/null 2>&1; then
        make_test_pki "$dir/tls"
        tls_options="-c ssl=on -c ssl_cert_file=$dir/tls/server.crt -c ssl_key_file=$dir/tls/server.key -c ssl_ca_file=$dir/tls/ca.pem"
    fi
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-F -p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c full_page_writes=off -c synchronous_commit=off $tls_options" start >/dev/null \
        || { cat "$dir/server.log" >&2; exit 1; }
    cat >"$dir/env" <<ENV
export RATCHET_TEST_PGBIN=$bindir
export RATCHET_TEST_PGDATA=$dir/data
export RATCHET_TEST_PORT=$port
export RATCHET_TEST_ADMIN_URL=postgresql://postgres@127.0.0.1:$port/postgres
ENV
    if [[ -n "$tls_options" ]]; then
        cat >>"$dir/env" <<ENV
export RATCHET_TEST_TLS_CA=$dir/tls/ca.pem
export RATCHET_TEST_TLS_OTHER_CA=$dir/tls/other-ca.pem
export RATCHET_TEST_TLS_CLIENT_P12=$dir/tls/client.p12
export RATCHET_TEST_TLS_CLIENT_P12_PASSWORD=p12-Secret-pw
ENV
    fi
    echo "pg-cluster: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir/data)"
    # PgBouncer in front of it (transaction and session mode) for the pooler tests.
    if command -v pgbouncer >/dev/null 2>&1 || [[ -x /usr/sbin/pgbouncer ]]; then
        "$(dirname "$0")/pgbouncer.sh" start "$dir" "$port"
    fi
    ;;
stop)
    [[ -d "$dir" ]] && "$(dirname "$0")/pgbouncer.sh" stop "$dir"
    if [[ -d "$dir/data" ]]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
