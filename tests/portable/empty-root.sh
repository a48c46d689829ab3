#!/usr/bin/env bash
# Proof that a portable ratchet starts with nothing installed: the binary alone (plus /dev nodes) in an
# empty root (chroot: no libc, no loader, no /etc, no /proc), running `deploy` and `status` against the
# throwaway PostgreSQL. aarch64 binaries run under qemu-aarch64-static, copied into the root and invoked
# explicitly (no binfmt registration needed).
#   tests/portable/empty-root.sh BINARY [x86_64|aarch64]
# Needs root (chroot, mknod) and RATCHET_TEST_ADMIN_URL (scripts/pg-cluster.sh); exits 77 (skipped)
# without them unless CI=true.
set -euo pipefail
bin=${1:?usage: empty-root.sh BINARY [x86_64|aarch64]}
arch=${2:-x86_64}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
skip() { if [[ "${CI:-}" == true ]]; then echo "FAIL: $*" >&2; exit 1; fi; echo "SKIP: $*"; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "needs root for chroot"
[[ -n "${RATCHET_TEST_ADMIN_URL:-}" ]] || skip "RATCHET_TEST_ADMIN_URL is not set (scripts/pg-cluster.sh)"
[[ -x "$bin" ]] || { echo "FAIL: $bin is not an executable" >&2; exit 1; }
if readelf -l "$bin" | grep -q INTERP; then echo "FAIL: $bin has a program interpreter (not static)" >&2; exit 1; fi

root=$(mktemp -d /tmp/ratchet-empty-root.XXXXXX)
db="ratchet_portable_$$"
admin=$RATCHET_TEST_ADMIN_URL
cleanup() {
    psql -qX "$admin" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    rm -rf "$root"
}
trap cleanup EXIT
mkdir -p "$root/dev" "$root/tmp" "$root/m"
mknod -m 666 "$root/dev/null" c 1 3
mknod -m 666 "$root/dev/zero" c 1 5
mknod -m 666 "$root/dev/random" c 1 8
mknod -m 666 "$root/dev/urandom" c 1 9
chmod 1777 "$root/tmp"
cp "$bin" "$root/ratchet"
cp -r "$src/examples/blog/migrations/." "$root/m/"
run=(chroot "$root")
if [[ "$arch" == aarch64 ]]; then
    qemu=$(command -v qemu-aarch64-static) || skip "qemu-aarch64-static is not installed"
    cp "$qemu" "$root/qemu-aarch64-static"
    run+=(/qemu-aarch64-static /ratchet)
else
    run+=(/ratchet)
fi
echo "root: $(cd "$root" && find . -mindepth 1 | sort | tr '\n' ' ')"

psql -qX "$admin" -c "CREATE DATABASE $db" >/dev/null
# The database by IP: there is no /etc/hosts and no /etc/resolv.conf in the root.
port=$(sed -E 's|.*:([0-9]+)/.*|\1|' <<<"$admin")
user=$(sed -E 's|^postgresql://([^@:]+).*|\1|' <<<"$admin")
url="postgresql://$user@127.0.0.1:$port/$db?schema=public"
failures=0
check() { # name expected-exit command...
    local name=$1 want=$2; shift 2
    local out rc=0
    out=$("$@" 2>"$root/tmp/stderr") || rc=$?
    if [[ $rc -ne $want ]]; then
        echo "FAIL: $name: exit $rc, want $want"; echo "$out"; cat "$root/tmp/stderr"; failures=$((failures + 1))
        return 1
    fi
    printf '%s' "$out"
}
json_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {}, {"d": d}))' "$1"; }

"${run[@]}" --version | grep -qx "$(cat "$src/VERSION")" || { echo "FAIL: --version"; failures=$((failures + 1)); }
out=$(check "deploy" 0 "${run[@]}" deploy --url "$url" --dir /m --json) &&
    [[ $(json_field 'len(d["applied"])' <<<"$out") == 3 ]] && echo "ok: deploy applied 3 migrations" ||
    { echo "FAIL: deploy: $out"; failures=$((failures + 1)); }
out=$(check "status" 0 "${run[@]}" status --url "$url" --dir /m --json) &&
    [[ $(json_field 'd["summary"]' <<<"$out") == up_to_date ]] && echo "ok: status up_to_date" ||
    { echo "FAIL: status: $out"; failures=$((failures + 1)); }
out=$(check "deploy again" 0 "${run[@]}" deploy --url "$url" --dir /m) &&
    grep -q "No pending migrations to apply" <<<"$out" && echo "ok: second deploy applies nothing" ||
    { echo "FAIL: second deploy: $out"; failures=$((failures + 1)); }
# Host names: without /etc/hosts and /etc/resolv.conf nothing resolves (glibc asks 127.0.0.1:53);
# with them the built-in files/dns services work and no NSS module is loaded.
local_url="postgresql://$user@localhost:$port/$db?schema=public"
out=$(check "status via localhost, no /etc" 1 "${run[@]}" status --url "$local_url" --dir /m) &&
    grep -q "localhost" "$root/tmp/stderr" && echo "ok: without /etc/hosts, 'localhost' fails with a clear error" ||
    { echo "FAIL: status without /etc/hosts: $out $(cat "$root/tmp/stderr")"; failures=$((failures + 1)); }
mkdir -p "$root/etc"
printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
printf 'hosts: nonexistent_module files\npasswd: nonexistent_module files\n' >"$root/etc/nsswitch.conf"
out=$(check "status via localhost, /etc/hosts" 0 "${run[@]}" status --url "$local_url" --dir /m) &&
    echo "ok: with /etc/hosts, 'localhost' resolves (nsswitch.conf's modules are never loaded)" ||
    { echo "FAIL: status with /etc/hosts"; failures=$((failures + 1)); }

# TLS and SCRAM with the static OpenSSL/libpq: a private cluster with ssl=on (a throwaway CA and a server
# certificate for 127.0.0.1), pg_hba allowing only hostssl + scram-sha-256.
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
if [[ -x "$bindir/initdb" ]] && command -v openssl >/dev/null; then
    tls=$(mktemp -d /tmp/ratchet-tls.XXXXXX)
    chown postgres: "$tls"; chmod 755 "$tls"
    as_pg() { runuser -u postgres -- "$@"; }
    stop_tls() { as_pg "$bindir/pg_ctl" -D "$tls/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$tls"; }
    trap 'stop_tls; cleanup' EXIT
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ratchet-test-ca -keyout "$tls/ca.key" \
        -out "$tls/ca.pem" -addext basicConstraints=critical,CA:TRUE >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$tls/server.key" -out "$tls/server.csr" >/dev/null 2>&1
    printf 'subjectAltName=IP:127.0.0.1\n' >"$tls/ext"
    openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
        -extfile "$tls/ext" -out "$tls/server.crt" >/dev/null 2>&1
    chown postgres: "$tls"/server.*; chmod 600 "$tls/server.key"
    as_pg "$bindir/initdb" -D "$tls/data" -U postgres -A trust -E UTF8 --locale=C -N >/dev/null
    printf 'local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 reject\n' \
        >"$tls/data/pg_hba.conf"
    tport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    as_pg "$bindir/pg_ctl" -D "$tls/data" -l "$tls/server.log" -w -t 60 -o "-F -p $tport -k $tls \
        -c listen_addresses=127.0.0.1 -c ssl=on -c ssl_cert_file=$tls/server.crt -c ssl_key_file=$tls/server.key" \
        start >/dev/null
    secret="s3cr3t-$$-pw"
    as_pg psql -qX -h "$tls" -p "$tport" -U postgres -c "CREATE ROLE app LOGIN PASSWORD '$secret'" -c "CREATE DATABASE app OWNER app" >/dev/null
    cp "$tls/ca.pem" "$root/ca.pem"
    turl="postgresql://app:$secret@127.0.0.1:$tport/app?schema=public"
    out=$(check "deploy over TLS (verify-full, SCRAM)" 0 "${run[@]}" deploy --url "$turl&sslmode=verify-full&sslrootcert=/ca.pem" --dir /m --json) &&
        [[ $(json_field 'len(d["applied"])' <<<"$out") == 3 ]] && echo "ok: deploy over TLS verify-full with SCRAM" ||
        { echo "FAIL: deploy over TLS: $out"; failures=$((failures + 1)); }
    out=$(check "status, wrong CA" 1 "${run[@]}" status --url "$turl&sslmode=verify-full&sslrootcert=/dev/null" --dir /m) &&
        echo "ok: verify-full against a wrong CA fails" || { echo "FAIL: verify-full with a wrong CA: $out"; failures=$((failures + 1)); }
    if grep -q "$secret" "$root/tmp/stderr"; then echo "FAIL: the password appears in the error"; failures=$((failures + 1)); fi
    out=$(check "status, plain (no TLS)" 1 "${run[@]}" status --url "$turl&sslmode=disable" --dir /m) &&
        echo "ok: sslmode=disable is refused by the hostssl-only server" || { echo "FAIL: sslmode=disable: $out"; failures=$((failures + 1)); }
    out=$(check "status over TLS" 0 "${run[@]}" status --url "$turl&sslmode=require" --dir /m --json) &&
        [[ $(json_field 'd["summary"]' <<<"$out") == up_to_date ]] && echo "ok: status over TLS (require)" ||
        { echo "FAIL: status over TLS: $out"; failures=$((failures + 1)); }
else
    echo "note: no PostgreSQL server binaries or openssl here; TLS/SCRAM part not run"
fi
if ((failures)); then echo "$failures failure(s)"; exit 1; fi
echo "PASS: $arch binary runs deploy/status in an empty root"
