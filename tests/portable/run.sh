#!/usr/bin/env bash
# ctest driver (label package): builds the portable CLI and Lambda zip for ARCH into WORK with
# packaging/build-portable.sh (incremental after the first run; in a CMake tree lambda/'s
# ratchet_lambda_zip may have built it already), then runs the CLI's empty-root test (the zip's is
# lambda_package_test / lambda_package_aarch64); for x86_64 also packs the npm packages
# and runs the offline npm test.
#   tests/portable/run.sh x86_64|aarch64 WORK
set -euo pipefail
arch=${1:?usage: run.sh x86_64|aarch64 WORK}
work=${2:?usage: run.sh x86_64|aarch64 WORK}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
"$src/packaging/build-portable.sh" "$arch" "$work" >"$work.build.log" 2>&1 ||
    { tail -50 "$work.build.log"; echo "FAIL: build-portable.sh $arch (log: $work.build.log)"; exit 1; }
tail -2 "$work.build.log"
"$here/empty-root.sh" "$work/dist/ratchet" "$arch"
if [[ "$arch" == x86_64 ]]; then
    rm -rf "$work/npm"
    "$src/packaging/npm/make-packages.sh" "$work/npm" --x64 "$work/dist/ratchet" >/dev/null
    "$here/npm.sh" "$work/npm"
fi
