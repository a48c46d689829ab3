#!/usr/bin/env bash
# Prepares what a portable (fully static) build for one architecture needs, from Debian packages only:
#   - host tools, installed when missing: the aarch64 cross compiler (the core of crossbuild-essential-arm64)
#     and qemu-user-static (to run the arm64 binary), zip, npm;
#   - a private "sysroot" OUT/ with the static archives libpq.a (libpq-dev), libpgcommon.a + libpgport.a
#     (postgresql-server-dev-15; libpq.a needs them) and libssl.a + libcrypto.a (libssl-dev), for ARCH,
#     downloaded with `apt-get download` and unpacked with dpkg-deb (nothing is installed on the host, so the
#     host's own libpq-dev/libssl-dev versions and multiarch set are untouched);
#   - libpg_query.a + pg_query.h (libpg-query-dev) for `ratchet lint`;
#   - copies of the header-only libraries the CLI uses (spdlog, fmt, CLI11, nlohmann-json) from the host.
# Usage: packaging/deps.sh x86_64|aarch64 OUT
set -euo pipefail
arch=${1:?usage: deps.sh x86_64|aarch64 OUT}
out=${2:?usage: deps.sh x86_64|aarch64 OUT}
case "$arch" in
    x86_64) deb_arch=amd64 triplet=x86_64-linux-gnu ;;
    aarch64) deb_arch=arm64 triplet=aarch64-linux-gnu ;;
    *) echo "deps.sh: unknown architecture '$arch' (x86_64 or aarch64)" >&2; exit 2 ;;
esac
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if ((${#missing[@]})); then
        echo "deps.sh: installing ${missing[*]}" >&2
        $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
            --no-install-recommends "${missing[@]}" >/dev/null
    fi
}
apt_install build-essential cmake ninja-build libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev zip
if [[ "$arch" == aarch64 ]]; then
    apt_install g++-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-user-static
fi

stamp="$out/.complete-$deb_arch-2"  # bump when the package list changes
if [[ -f "$stamp" ]]; then exit 0; fi
if [[ "$deb_arch" != "$(dpkg --print-architecture)" ]] && ! dpkg --print-foreign-architectures | grep -qx "$deb_arch"; then
    echo "deps.sh: enabling the $deb_arch architecture for apt (downloads only)" >&2
    $SUDO dpkg --add-architecture "$deb_arch"
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
fi
debs=("libpq-dev:$deb_arch" "postgresql-server-dev-15:$deb_arch" "libssl-dev:$deb_arch"
      "libpg-query-dev:$deb_arch")
rm -rf "$out"
mkdir -p "$out/debs" "$out/root" "$out/include-extra"
(
    cd "$out/debs"
    # `apt-get download` runs as _apt when it can; a root-owned build dir is not writable for it.
    chmod 777 . 2>/dev/null || true
    apt-get -o DPkg::Lock::Timeout=600 download -q \
        "${debs[@]}" >/dev/null 2>&1 ||
        { $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq &&
          apt-get download -q "${debs[@]}"; }
)
for deb in "$out"/debs/*.deb; do dpkg-deb -x "$deb" "$out/root"; done
usr="$out/root/usr"
pgserver=$(ls -d "$usr"/lib/postgresql/*/lib | head -1)
mkdir -p "$out/lib" "$out/include"
cp "$usr/lib/$triplet/libpq.a" "$usr/lib/$triplet/libssl.a" "$usr/lib/$triplet/libcrypto.a" \
   "$usr/lib/$triplet/libpg_query.a" "$pgserver/libpgcommon.a" "$pgserver/libpgport.a" "$out/lib/"
# One include tree: OpenSSL's generic and architecture-specific headers, libpq's headers.
cp -r "$usr/include/openssl" "$out/include/"
cp -r "$usr/include/$triplet/openssl/." "$out/include/openssl/"
cp -r "$usr/include/postgresql/." "$out/include/"
cp "$usr/include/pg_query.h" "$out/include/"
rm -rf "$out/include/15"   # server headers: not needed (FindPostgreSQL's type include dir is optional)
for h in spdlog fmt CLI nlohmann; do cp -r "/usr/include/$h" "$out/include-extra/"; done
for deb in "$out"/debs/*.deb; do dpkg-deb -f "$deb" Package Version Architecture | sed "s/^[^:]*: //" | paste -sd" "; done \
    > "$out/VERSIONS"
for p in libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev; do
    dpkg-query -W -f='${Package} ${Version} (headers)\n' "$p" >> "$out/VERSIONS"
done
rm -rf "$out/root" "$out/debs"
touch "$stamp"
