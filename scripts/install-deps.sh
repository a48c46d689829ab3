#!/usr/bin/env bash
# Installs the Debian 12 packages ratchet needs to build and test, when they are missing.
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config libpq-dev libssl-dev libspdlog-dev
          libboost-test-dev libcli11-dev nlohmann-json3-dev libcurl4-openssl-dev libpg-query-dev
          postgresql pgbouncer openssl zip unzip python3 clang libclang-rt-14-dev)
if [[ "${RATCHET_WITH_NODE:-1}" == 1 ]]; then packages+=(nodejs npm); fi
missing=()
for p in "${packages[@]}"; do
    if [[ "$p" == nodejs || "$p" == npm ]] && command -v "${p/nodejs/node}" >/dev/null 2>&1; then continue; fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
