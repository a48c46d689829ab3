#!/usr/bin/env bash
# Stages and packs the npm packages: ratchet-migrate (the `bin` wrapper, optional dependency per platform)
# and ratchet-migrate-linux-x64 / -linux-arm64 (the static binaries). Versions = VERSION.
#   packaging/npm/make-packages.sh OUT [--x64 BINARY] [--arm64 BINARY]
# → OUT/ratchet-migrate-<v>.tgz, OUT/ratchet-migrate-linux-{x64,arm64}-<v>.tgz (a platform package only
#   for the binaries given). `npm pack` writes fixed mtimes and sorted entries, so the tarballs are
#   reproducible.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
out=${1:?usage: make-packages.sh OUT [--x64 BINARY] [--arm64 BINARY]}; shift
declare -A bins=()
while (($#)); do
    case "$1" in
        --x64) bins[linux-x64]=${2:?}; shift 2 ;;
        --arm64) bins[linux-arm64]=${2:?}; shift 2 ;;
        *) echo "make-packages.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
version=$(head -n1 "$src/VERSION")
license=${RATCHET_LICENSE:-UNLICENSED}
mkdir -p "$out"; out=$(cd "$out" && pwd)
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
subst() { sed -e "s/@VERSION@/$version/g" -e "s/@LICENSE@/$license/g" -e "s/@PLATFORM@/${2:-}/g" \
              -e "s/@OS@/${3:-}/g" -e "s/@CPU@/${4:-}/g" "$1"; }
pack() { # dir
    (cd "$1" && npm pack --silent --pack-destination "$out" >/dev/null)
}
mkdir -p "$stage/main/bin"
subst "$here/main/package.json.in" >"$stage/main/package.json"
cp "$here/main/README.md" "$stage/main/README.md"
install -m 0755 "$here/main/bin/ratchet.js" "$stage/main/bin/ratchet.js"
pack "$stage/main"
for platform in "${!bins[@]}"; do
    os=${platform%%-*} cpu=${platform#*-}
    d="$stage/$platform"
    mkdir -p "$d/bin"
    subst "$here/platform/package.json.in" "$platform" "$os" "$cpu" >"$d/package.json"
    subst "$here/platform/README.md" "$platform" >"$d/README.md"
    install -m 0755 "${bins[$platform]}" "$d/bin/ratchet"
    pack "$d"
done
ls -l "$out"/*.tgz | awk '{print $5, $9}'
