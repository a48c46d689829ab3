#!/usr/bin/env bash
# A newcomer with nothing but Node: install ratchet-migrate from the packed tarballs into a fresh project,
# offline (empty npm cache, --offline), then `npx ratchet-migrate deploy` and `status` against PostgreSQL with
# DATABASE_URL and prisma/migrations, as Prisma users run it. Checks the packages too: versions = VERSION,
# no install scripts, installed size.
#   tests/portable/npm.sh DIR_WITH_TGZ      (packaging/npm/make-packages.sh makes them)
# Needs RATCHET_TEST_ADMIN_URL; exits 77 (skipped) without it unless CI=true.
set -euo pipefail
pkgs=$(cd "${1:?usage: npm.sh DIR_WITH_TGZ}" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
max_installed_bytes=${RATCHET_NPM_MAX_INSTALLED_BYTES:-12000000}
skip() { if [[ "${CI:-}" == true ]]; then echo "FAIL: $*" >&2; exit 1; fi; echo "SKIP: $*"; exit 77; }
[[ -n "${RATCHET_TEST_ADMIN_URL:-}" ]] || skip "RATCHET_TEST_ADMIN_URL is not set (scripts/pg-cluster.sh)"
command -v npm >/dev/null || skip "npm is not installed"
version=$(head -n1 "$src/VERSION")
case "$(uname -m)" in x86_64) platform=linux-x64 ;; aarch64) platform=linux-arm64 ;; *) skip "no package for $(uname -m)" ;; esac
main_tgz="$pkgs/ratchet-migrate-$version.tgz"
plat_tgz="$pkgs/ratchet-migrate-$platform-$version.tgz"
for f in "$main_tgz" "$plat_tgz"; do [[ -f "$f" ]] || { echo "FAIL: missing $f" >&2; exit 1; }; done

work=$(mktemp -d /tmp/ratchet-npm.XXXXXX)
db="ratchet_npm_$$"
admin=$RATCHET_TEST_ADMIN_URL
cleanup() {
    psql -qX "$admin" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# The packages themselves.
for f in "$pkgs"/ratchet-migrate-*"$version".tgz; do
    PKG_JSON=$(tar -xzOf "$f" package/package.json) python3 - "$f" "$version" <<'PY' || failures=$((failures + 1))
import json, os, sys
d = json.loads(os.environ["PKG_JSON"]); name = sys.argv[1]; v = sys.argv[2]
problems = []
if d["version"] != v: problems.append(f"version {d['version']} != {v}")
for k in ("preinstall", "install", "postinstall", "prepare"):
    if k in d.get("scripts", {}): problems.append(f"has a {k} script")
for dep, spec in d.get("optionalDependencies", {}).items():
    if spec != v: problems.append(f"{dep}@{spec} is not in lock-step with {v}")
if problems: print(f"FAIL: {name}: " + "; ".join(problems)); sys.exit(1)
PY
done

cd "$work"
printf '{"name":"newcomer","version":"1.0.0","private":true}\n' >package.json
mkdir -p prisma/migrations
cp -r "$src/examples/blog/migrations/." prisma/migrations/
npm install --offline --cache "$work/.npm-cache" --no-audit --no-fund --loglevel=error \
    "$main_tgz" "$plat_tgz" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "npm install"; exit 1; }
echo "ok: installed offline from the tarballs"
size=$(du -sb node_modules | cut -f1)
echo "installed size: $size bytes (node_modules)"
((size <= max_installed_bytes)) || fail "installed size $size > $max_installed_bytes"

psql -qX "$admin" -c "CREATE DATABASE $db" >/dev/null
export DATABASE_URL="${admin%/*}/$db?schema=public"
out=$(npx --offline ratchet-migrate --version) && [[ "$out" == "$version" ]] || fail "npx ratchet-migrate --version: $out"
out=$(npx --offline ratchet-migrate deploy 2>&1) && grep -q "All migrations have been successfully applied" <<<"$out" &&
    echo "ok: npx ratchet-migrate deploy" || fail "deploy: $out"
out=$(npx --offline ratchet status --json) &&
    [[ $(python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"])' <<<"$out") == up_to_date ]] &&
    echo "ok: npx ratchet status: up_to_date" || fail "status: $out"
# Exit codes pass through the wrapper: status of a database with a pending migration exits 1.
mkdir -p prisma/migrations/20990101000000_later
echo 'CREATE TABLE later (id int);' >prisma/migrations/20990101000000_later/migration.sql
rc=0; npx --offline ratchet-migrate status >/dev/null 2>&1 || rc=$?
[[ $rc == 1 ]] && echo "ok: status with a pending migration exits 1 through the wrapper" || fail "status exit $rc, want 1"
if ((failures)); then echo "$failures failure(s)"; exit 1; fi
echo "PASS: npm packages install offline and run deploy/status"
