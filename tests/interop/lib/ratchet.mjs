// Runs the ratchet CLI under test (RATCHET_BIN).
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export function ratchetBin() {
  const b = process.env.RATCHET_BIN;
  if (!b) throw new Error('RATCHET_BIN is not set (path to the ratchet CLI binary)');
  if (!fs.existsSync(b)) throw new Error(`RATCHET_BIN=${b} does not exist`);
  return b;
}

/**
 * Run `ratchet <args> --url URL --dir DIR`.
 * @returns {Promise<{code, signal, stdout, stderr, ms, json?}>} json is parsed when --json was passed.
 */
export async function runRatchet(args, { url, migrationsDir, timeoutMs = 60000, env = {} } = {}) {
  const full = [...args];
  if (url) full.push('--url', url);
  if (migrationsDir) full.push('--dir', migrationsDir);
  const childEnv = { ...process.env, NO_COLOR: '1', ...env };
  delete childEnv.DATABASE_URL;
  const started = Date.now();
  const res = await new Promise((resolve, reject) => {
    const child = spawn(ratchetBin(), full, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[harness] ratchet ${args.join(' ')} timed out after ${timeoutMs} ms; killing\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
  if (args.includes('--json')) {
    try {
      res.json = JSON.parse(res.stdout);
    } catch (e) {
      res.jsonError = String(e);
    }
  }
  return res;
}

export const ratchet = {
  deploy: (opts, extra = []) => runRatchet(['deploy', ...extra], opts),
  status: (opts, extra = []) => runRatchet(['status', ...extra], opts),
  resolveApplied: (name, opts) => runRatchet(['resolve', '--applied', name], opts),
  resolveRolledBack: (name, opts) => runRatchet(['resolve', '--rolled-back', name], opts),
};
