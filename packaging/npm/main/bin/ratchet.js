#!/usr/bin/env node
// Runs the native ratchet binary of this platform's optional package (ratchet-migrate-<os>-<arch>),
// forwarding arguments, stdio, the exit code and a terminating signal. No install script, no download.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');
const fs = require('fs');

function binaryPath() {
  const override = process.env.RATCHET_MIGRATE_BINARY;
  if (override) return override;
  const platform = `${process.platform}-${process.arch}`;
  const pkg = `ratchet-migrate-${platform}`;
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'ratchet');
  } catch {
    const supported = ['linux-x64', 'linux-arm64'];
    const why = supported.includes(platform)
      ? `the optional package ${pkg} is not installed (was the install run with --omit=optional or --no-optional?)`
      : `there is no ratchet binary for ${platform} (available: ${supported.join(', ')})`;
    process.stderr.write(`ratchet-migrate: ${why}\n`);
    process.exit(1);
  }
}

const bin = binaryPath();
try {
  fs.accessSync(bin, fs.constants.X_OK);
} catch {
  try {
    fs.chmodSync(bin, 0o755); // some package managers drop the mode bits of files that are not "bin"
  } catch {}
}
const result = spawnSync(bin, process.argv.slice(2), { stdio: 'inherit' });
if (result.error) {
  process.stderr.write(`ratchet-migrate: cannot run ${bin}: ${result.error.message}\n`);
  process.exit(1);
}
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status === null ? 1 : result.status);
