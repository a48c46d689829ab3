#!/usr/bin/env bash
# Builds every artefact of a release into one folder, reproducibly (same commit → same bytes):
#   ratchet-<v>-linux-x86_64.tar.gz, ratchet-<v>-linux-aarch64.tar.gz   static CLIs (packaging/build-portable.sh)
#   npm/ratchet-migrate-<v>.tgz, npm/ratchet-migrate-linux-{x64,arm64}-<v>.tgz   (packaging/npm)
#   ratchet-<v>-source.tar.gz                                          the CMake source package (git archive)
#   ratchet-lambda-<v>-{x86_64,arm64}.zip                              the Lambda zips (static bootstrap; the
#                                                                      same build-portable.sh trees)
#   SHA256SUMS, CHANGELOG-entry.md (a template with the sums)
# Usage: scripts/release.sh OUT_DIR [--rev REV]      (REV: default HEAD; uncommitted changes are not released)
# Sources come from `git archive REV`, SOURCE_DATE_EPOCH is REV's commit time, paths are mapped away at
# compile time, archives have sorted entries, fixed owners and mtimes, and gzip without names or times.
# Build dirs: RATCHET_RELEASE_BUILD (default build-release/); nothing is published.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:?usage: release.sh OUT_DIR [--rev REV]}; shift
rev=HEAD
while (($#)); do
    case "$1" in
        --rev) rev=${2:?--rev needs a revision}; shift 2 ;;
        *) echo "release.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
commit=$(git -C "$src" rev-parse --verify "$rev^{commit}")
version=$(git -C "$src" show "$commit:VERSION" | head -n1)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct "$commit")}
export TZ=UTC LC_ALL=C
buildroot=${RATCHET_RELEASE_BUILD:-$src/build-release}
mkdir -p "$buildroot" "$out"
buildroot=$(cd "$buildroot" && pwd); out=$(cd "$out" && pwd)
if [[ -n "$(git -C "$src" status --porcelain --untracked-files=no)" && "$rev" == HEAD ]]; then
    echo "release.sh: note: the working tree has uncommitted changes; releasing $commit as committed" >&2
fi

# 1. The source tree of REV (also the source package).
rm -rf "$buildroot/src"; mkdir -p "$buildroot/src"
git -C "$src" archive --format=tar "$commit" | tar -x -C "$buildroot/src"
git -C "$src" archive --format=tar --prefix="ratchet-$version/" "$commit" | gzip -n -9 \
    >"$out/ratchet-$version-source.tar.gz"

# 2. The static CLIs, built from that tree with REV's packaging scripts (this checkout's for a REV that
#    predates packaging/).
pkgdir="$buildroot/src/packaging"
[[ -x "$pkgdir/build-portable.sh" ]] || pkgdir="$src/packaging"
pack_tar() { # dir-parent name output
    tar -C "$1" --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
        --format=gnu -cf - "$2" |
        gzip -n -9 >"$3"
}
declare -A npm_flag=([x86_64]=--x64 [aarch64]=--arm64)
npm_args=()
for arch in x86_64 aarch64; do
    "$pkgdir/build-portable.sh" --source "$buildroot/src" "$arch" "$buildroot/$arch"
    name="ratchet-$version-linux-$arch"
    rm -rf "$buildroot/stage/$name"; mkdir -p "$buildroot/stage/$name"
    install -m 0755 "$buildroot/$arch/dist/ratchet" "$buildroot/stage/$name/ratchet"
    install -m 0644 "$pkgdir/dist-README.md" "$buildroot/stage/$name/README.md"
    touch -d "@$SOURCE_DATE_EPOCH" "$buildroot/stage/$name" "$buildroot/stage/$name"/*
    pack_tar "$buildroot/stage" "$name" "$out/$name.tar.gz"
    npm_args+=("${npm_flag[$arch]}" "$buildroot/$arch/dist/ratchet")
done

# 3. npm packages (npm pack: fixed mtimes, sorted entries).
rm -rf "$out/npm"
"$pkgdir/npm/make-packages.sh" "$out/npm" "${npm_args[@]}" >/dev/null

# 4. Lambda zips (built by build-portable.sh above; entries sorted, mtimes SOURCE_DATE_EPOCH). A REV
#    whose build-portable.sh predates the static Lambda has none: then RATCHET_LAMBDA_ZIP_X86_64 /
#    RATCHET_LAMBDA_ZIP_ARM64 may name built zips.
declare -A zip_arch=([x86_64]=x86_64 [aarch64]=arm64)
for arch in x86_64 aarch64; do
    var="RATCHET_LAMBDA_ZIP_${zip_arch[$arch]^^}"
    zip="${!var:-$buildroot/$arch/lambda/ratchet-lambda.zip}"
    if [[ -f "$zip" ]]; then
        cp "$zip" "$out/ratchet-lambda-$version-${zip_arch[$arch]}.zip"
    else
        echo "release.sh: warning: no $arch Lambda zip ($zip)" >&2
    fi
done

# 5. Sums and the CHANGELOG entry template.
(cd "$out" && find . -type f \( -name '*.tar.gz' -o -name '*.tgz' -o -name '*.zip' \) | sed 's|^\./||' |
    sort | xargs sha256sum >SHA256SUMS)
{
    echo "## $version ($(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d))"
    echo
    echo "Commit \`$(git -C "$src" rev-parse --short=12 "$commit")\`."
    echo
    echo "### Added"
    echo "- "
    echo
    echo "### Changed"
    echo "- "
    echo
    echo "### Fixed"
    echo "- "
    echo
    echo "### Artefacts"
    echo
    echo "| file | bytes | sha256 |"
    echo "|---|---:|---|"
    while read -r sum file; do
        echo "| \`$file\` | $(stat -c %s "$out/$file") | \`$sum\` |"
    done <"$out/SHA256SUMS"
    echo
    echo "Static CLIs: Linux x86_64 and aarch64, any libc (glibc, musl) or none; PostgreSQL 13–18."
    echo "npm: \`npm install ratchet-migrate@$version\` (no install scripts, no downloads)."
} >"$out/CHANGELOG-entry.md"
cat "$out/SHA256SUMS"
