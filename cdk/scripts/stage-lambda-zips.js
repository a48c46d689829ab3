#!/usr/bin/env node
// Copies ratchet's Lambda zips into assets/ before `npm pack`, so the package carries them and a CDK app needs no
// C++ build. Run by `prepack` (after `tsc`, whose lib/lambda-asset.js reads the zips' bootstrap).
//
//   RATCHET_LAMBDA_ZIP_X86_64  default: the first that exists of <repo>/build/lambda/ratchet-lambda.zip,
//                              <repo>/build/portable/x86_64/lambda/ratchet-lambda.zip,
//                              <repo>/build-x64-portable/lambda/ratchet-lambda.zip                (required)
//   RATCHET_LAMBDA_ZIP_ARM64   default: the first that exists of
//                              <repo>/build/portable/aarch64/lambda/ratchet-lambda.zip,
//                              <repo>/build-arm64/lambda/ratchet-lambda.zip  (required if set, or with
//                              RATCHET_REQUIRE_ARM64=1; otherwise the package is made without it and the construct's
//                              arm64 choice fails at synth with a clear error)
// Both zips come from packaging/build-portable.sh (x86_64 / aarch64), or `cmake --build <dir> --target
// ratchet_lambda_zip_x86_64 ratchet_lambda_zip_aarch64`, which runs it into <dir>/portable/<arch>.
//
// Each zip's `bootstrap` must be a static ELF executable for its architecture.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const pkgRoot = path.resolve(__dirname, '..');
const repoRoot = path.resolve(pkgRoot, '..');
const assets = path.join(pkgRoot, 'assets');
const { extractZip, elfArchitecture } = require(path.join(pkgRoot, 'lib', 'lambda-asset.js'));

const targets = [
  {
    arch: 'x86_64',
    env: 'RATCHET_LAMBDA_ZIP_X86_64',
    fallbacks: [
      path.join(repoRoot, 'build', 'lambda', 'ratchet-lambda.zip'),
      path.join(repoRoot, 'build', 'portable', 'x86_64', 'lambda', 'ratchet-lambda.zip'),
      path.join(repoRoot, 'build-x64-portable', 'lambda', 'ratchet-lambda.zip'),
    ],
    required: true,
  },
  {
    arch: 'arm64',
    env: 'RATCHET_LAMBDA_ZIP_ARM64',
    fallbacks: [
      path.join(repoRoot, 'build', 'portable', 'aarch64', 'lambda', 'ratchet-lambda.zip'),
      path.join(repoRoot, 'build-arm64', 'lambda', 'ratchet-lambda.zip'),
    ],
    required: !!process.env.RATCHET_LAMBDA_ZIP_ARM64 || process.env.RATCHET_REQUIRE_ARM64 === '1',
  },
];

function fail(message) {
  console.error(`stage-lambda-zips: ${message}`);
  process.exit(1);
}

fs.mkdirSync(assets, { recursive: true });
for (const t of targets) {
  const source = path.resolve(process.env[t.env] || t.fallbacks.find((f) => fs.existsSync(f)) || t.fallbacks[0]);
  const dest = path.join(assets, `ratchet-lambda-${t.arch}.zip`);
  fs.rmSync(dest, { force: true });
  if (!fs.existsSync(source)) {
    const how =
      `build it (packaging/build-portable.sh ${t.arch === 'arm64' ? 'aarch64' : 'x86_64'} <dir>) ` +
      `and set ${t.env}=<dir>/lambda/ratchet-lambda.zip`;
    if (t.required) {
      fail(`the ${t.arch} Lambda zip is missing: ${source}; ${how}`);
    }
    console.warn(
      `stage-lambda-zips: warning: no ${t.arch} Lambda zip at ${source}; the package is made without it ` +
        `(architecture ${t.arch} then fails at synth time). To include it, ${how}.`,
    );
    continue;
  }
  // Check the processor of its bootstrap before shipping it under this name.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-zip-check-'));
  try {
    extractZip(source, tmp);
    const bootstrap = path.join(tmp, 'bootstrap');
    if (!fs.existsSync(bootstrap)) {
      fail(`${source} (${t.env}) has no bootstrap at its root`);
    }
    const built = elfArchitecture(bootstrap);
    if (built !== undefined && built !== t.arch) {
      fail(`${source} (${t.env}): bootstrap is built for ${built}, not ${t.arch}`);
    }
    if (fs.existsSync(path.join(tmp, 'lib'))) {
      fail(`${source} (${t.env}) has a lib/ folder: an old zip (launcher + shared libraries); rebuild it`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  fs.copyFileSync(source, dest);
  console.log(`stage-lambda-zips: ${t.arch}: ${source} (${(fs.statSync(dest).size / 1e6).toFixed(1)} MB)`);
}
