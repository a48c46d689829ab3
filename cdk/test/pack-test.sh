#!/usr/bin/env bash
# The package as a user gets it: `npm pack` (tsc + the Lambda zips copied in), installed from the tarball into a
# fresh CDK app in a temporary directory (aws-cdk-lib from npm's cache, registry only as a fallback), `cdk synth`,
# and the template checked (test/consumer-check.js).
#   env RATCHET_LAMBDA_ZIP_X86_64 / RATCHET_LAMBDA_ZIP_ARM64  the zips to pack (see scripts/stage-lambda-zips.js)
#   env RATCHET_BIN        ratchet CLI; if set, its `hash --dir` must equal the template's MigrationsHash
#   env RATCHET_CDK_OFFLINE=1  synthesize under `unshare -n` (no network at all)
#   env RATCHET_KEEP_TEST_DIRS=1  keep the temporary app
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/ratchet-cdk-pack-XXXXXX")
[[ "${RATCHET_KEEP_TEST_DIRS:-0}" == 1 ]] && echo "pack-test: keeping $work" || trap 'rm -rf "$work"' EXIT

# One install of aws-cdk-lib for both projects: the example's (same pinned versions), unless cdk/ has its own.
if [[ ! -e node_modules ]]; then
  if [[ -d ../examples/aws-cdk/node_modules ]]; then
    ln -s ../examples/aws-cdk/node_modules node_modules
  else
    npm ci --no-audit --no-fund
  fi
fi

echo "== npm pack"
npm pack --pack-destination "$work" --no-audit --no-fund >"$work/pack.log" 2>&1 || { cat "$work/pack.log" >&2; exit 1; }
grep -E '^stage-lambda-zips|warning' "$work/pack.log" || true
tarball=$(ls "$work"/ratchet-migrations-cdk-*.tgz)
contents=$(tar tzf "$tarball" | sort)
for f in package/package.json package/README.md package/lib/index.js package/lib/index.d.ts \
         package/lib/ratchet-migrations.d.ts package/assets/ratchet-lambda-x86_64.zip; do
  grep -qx "$f" <<<"$contents" || { echo "pack-test: $f missing from the tarball" >&2; exit 1; }
done
if grep -E '^package/(src|test|scripts|node_modules)/' <<<"$contents"; then
  echo "pack-test: sources or tests in the tarball" >&2; exit 1
fi
echo "   $(basename "$tarball"): $(( $(stat -c %s "$tarball") / 1024 )) KiB, $(wc -l <<<"$contents") files"

echo "== a fresh CDK app installs the tarball"
app="$work/app"
mkdir -p "$app"
cp -r test/consumer/. "$app/"
cat >"$app/package.json" <<JSON
{
  "name": "consumer",
  "private": true,
  "dependencies": { "aws-cdk-lib": "2.276.0", "constructs": "10.8.1", "ratchet-migrations-cdk": "file:$tarball" },
  "devDependencies": { "aws-cdk": "2.1148.1" }
}
JSON
t0=$(date +%s)
(cd "$app" && npm install --prefer-offline --no-audit --no-fund --loglevel=error)
echo "   npm install: $(( $(date +%s) - t0 )) s; installed package: $(du -sh "$app/node_modules/ratchet-migrations-cdk" | cut -f1)"

echo "== cdk synth"
export CDK_DISABLE_VERSION_CHECK=1
synth=(npx --no-install cdk synth --app "node app.js" -o cdk.out --no-notices -q)
if [[ "${RATCHET_CDK_OFFLINE:-0}" == 1 ]]; then
  (cd "$app" && unshare -n "${synth[@]}")
else
  (cd "$app" && "${synth[@]}")
fi
node test/consumer-check.js "$app/cdk.out/Consumer.template.json" "$app/migrations"

# The staged asset's bootstrap: one static executable for the architecture (no loader, no lib/).
check_asset() { # outdir machine
  local b
  for b in "$1"/asset.*/bootstrap; do
    readelf -h "$b" | grep -q "Machine: *$2" || { echo "pack-test: $b is not a $2 executable" >&2; exit 1; }
    if readelf -l "$b" | grep -q INTERP; then echo "pack-test: $b is not static" >&2; exit 1; fi
    [[ ! -e "$(dirname "$b")/lib" ]] || { echo "pack-test: $(dirname "$b") has a lib/ folder" >&2; exit 1; }
  done
}
check_asset "$app/cdk.out" "Advanced Micro Devices X86-64"

echo "== architecture arm64 (the construct's default)"
if [[ "${RATCHET_REQUIRE_ARM64:-0}" == 1 ]] && ! grep -qx package/assets/ratchet-lambda-arm64.zip <<<"$contents"; then
  echo "pack-test: RATCHET_REQUIRE_ARM64=1 but the package has no arm64 zip" >&2; exit 1
fi
if grep -qx package/assets/ratchet-lambda-arm64.zip <<<"$contents"; then
  (cd "$app" && CONSUMER_ARCH=arm64 CDK_OUTDIR="$work/arm64.out" node app.js)
  node test/consumer-check.js "$work/arm64.out/Consumer.template.json" "$app/migrations" arm64
  check_asset "$work/arm64.out" AArch64
  echo "   arm64 synthesized with the package's arm64 zip"
else
  if (cd "$app" && CONSUMER_ARCH=arm64 CDK_OUTDIR="$work/arm64.out" node app.js) 2>"$work/arm64.err"; then
    echo "pack-test: arm64 synthesized although the package has no arm64 zip" >&2; exit 1
  fi
  grep -q 'this package carries no arm64 Lambda zip' "$work/arm64.err" || { cat "$work/arm64.err" >&2; exit 1; }
  echo "   no arm64 zip in this package: synth fails with: $(grep -o 'RatchetMigrations: this package carries no arm64[^.]*' "$work/arm64.err" | head -1)"
fi
echo "== cdk/ pack test passed in $(( $(date +%s) - start )) s"
