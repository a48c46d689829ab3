// Harness that runs the real Prisma CLI offline: 6.19 with its WebAssembly schema engine
// through @prisma/adapter-pg (docs/prisma-compat.md section 11), or -- PRISMA_MAJOR=7 -- 7.10
// with engine/wasm-schema-engine.mjs standing in for the native schema-engine binary (section 13).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const LIB = path.dirname(fileURLToPath(import.meta.url));
export const INTEROP_ROOT = path.dirname(LIB);
/** The Prisma major version under test: PRISMA_MAJOR=7 runs Prisma 7.10, anything else 6.19. */
export const PRISMA_MAJOR = process.env.PRISMA_MAJOR === '7' ? 7 : 6;
const PRISMA_CLI = path.join(INTEROP_ROOT, 'node_modules', PRISMA_MAJOR === 7 ? 'prisma7' : 'prisma', 'build', 'index.js');
const WASM_ENGINE = path.join(INTEROP_ROOT, 'engine', 'wasm-schema-engine.mjs');
const PRELOAD = path.join(LIB, 'preload-unref-timers.cjs');
const ADAPTER = pathToFileURL(path.join(LIB, 'adapter.mjs')).href;

let dummyDir = null;
function dummyEngines() {
  if (dummyDir) return dummyDir;
  dummyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-interop-engines-'));
  const dir = dummyDir;
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  // Files only need to exist so the CLI does not try to download engines.
  fs.writeFileSync(path.join(dummyDir, 'libquery_engine-dummy.so.node'), '');
  const se = path.join(dummyDir, 'schema-engine-dummy');
  // `migrate resolve --rolled-back` still runs `<schema-engine> cli --datasource URL
  // can-connect-to-database` with the native binary before using the adapter:
  // answer "yes" (the adapter connects for real right after). Anything else fails.
  fs.writeFileSync(
    se,
    '#!/bin/sh\n' +
      'for a in "$@"; do [ "$a" = can-connect-to-database ] && exit 0; done\n' +
      'echo "dummy schema engine (ratchet interop tests): only the WebAssembly engine is available" >&2\n' +
      'exit 1\n',
  );
  fs.chmodSync(se, 0o755);
  return dummyDir;
}

/** url with ?schema= set to schema. */
function withSchema(url, schema) {
  const u = new URL(url);
  u.searchParams.set('schema', schema);
  return u.toString();
}

/** Extract ?schema= from a Prisma-style URL (null if absent). */
export function schemaFromUrl(url) {
  try {
    return new URL(url).searchParams.get('schema');
  } catch {
    return null;
  }
}

/**
 * Run `prisma <args>` against a database.
 * @param {string[]} args e.g. ['migrate', 'deploy'] or ['migrate', 'resolve', '--applied', 'X']
 * @param {{url: string, migrationsDir: string, schema?: string|null, timeoutMs?: number, env?: object}} opts
 *   schema: PostgreSQL schema (defaults to ?schema= of url); emulated with search_path.
 * @returns {Promise<{code: number|null, signal: string|null, stdout: string, stderr: string, ms: number}>}
 */
export async function runPrisma(args, opts) {
  const { url, migrationsDir, timeoutMs = 60000 } = opts;
  if (!url) throw new Error('runPrisma: url required');
  if (!migrationsDir) throw new Error('runPrisma: migrationsDir required');
  const schema = opts.schema ?? schemaFromUrl(url);
  const engines = dummyEngines();

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-interop-prisma-'));
  const schemaFile = path.join(work, 'schema.prisma');
  fs.writeFileSync(
    schemaFile,
    'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL") // required by the schema validator; unused with the adapter\n}\n',
  );
  const configFile = path.join(work, 'prisma.config.mjs');
  if (PRISMA_MAJOR === 7) {
    // 7.x: the URL lives in the config (a url in the schema is error P1012); the engine is the
    // stand-in binary, which emulates ?schema= with search_path as the native engine does.
    fs.writeFileSync(schemaFile, 'datasource db {\n  provider = "postgresql"\n}\n');
    fs.writeFileSync(
      configFile,
      `export default {\n` +
        `  schema: ${JSON.stringify(schemaFile)},\n` +
        `  migrations: { path: ${JSON.stringify(path.resolve(migrationsDir))} },\n` +
        `  datasource: { url: ${JSON.stringify(schema ? withSchema(url, schema) : url)} },\n` +
        `};\n`,
    );
  } else fs.writeFileSync(
    configFile,
    `import { makeAdapter } from ${JSON.stringify(ADAPTER)};\n` +
      `export default {\n` +
      `  experimental: { adapter: true },\n` +
      `  engine: 'js',\n` +
      `  schema: ${JSON.stringify(schemaFile)},\n` +
      `  migrations: { path: ${JSON.stringify(path.resolve(migrationsDir))} },\n` +
      `  adapter: async () => makeAdapter({ url: ${JSON.stringify(url)}, schema: ${JSON.stringify(schema ?? null)} }),\n` +
      `};\n`,
  );

  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('PRISMA_') || k === 'DATABASE_URL' || k === 'NODE_OPTIONS' || k === 'DEBUG') delete env[k];
  }
  Object.assign(env, {
    DATABASE_URL: url,
    PRISMA_QUERY_ENGINE_LIBRARY: path.join(engines, 'libquery_engine-dummy.so.node'),
    PRISMA_SCHEMA_ENGINE_BINARY: path.join(engines, 'schema-engine-dummy'),
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    PRISMA_DISABLE_WARNINGS: '1',
    CHECKPOINT_DISABLE: '1',
    PRISMA_TELEMETRY_INFORMATION: '',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    CI: '1',
    NODE_OPTIONS: `--require ${PRELOAD}`,
    ...(opts.env || {}),
  });
  if (PRISMA_MAJOR === 7) {
    env.PRISMA_SCHEMA_ENGINE_BINARY = WASM_ENGINE;
    env.PRISMA_QUERY_ENGINE_LIBRARY = WASM_ENGINE;
    delete env.NODE_OPTIONS; // 7.x kills the engine process when done: no lingering timers
  }

  const started = Date.now();
  try {
    return await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [PRISMA_CLI, ...args, '--config', configFile], {
        cwd: work,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
      const timer = setTimeout(() => {
        stderr += `\n[harness] prisma ${args.join(' ')} timed out after ${timeoutMs} ms; killing\n`;
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
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export const prisma = {
  deploy: (opts) => runPrisma(['migrate', 'deploy'], opts),
  status: (opts) => runPrisma(['migrate', 'status'], opts),
  resolveApplied: (name, opts) => runPrisma(['migrate', 'resolve', '--applied', name], opts),
  resolveRolledBack: (name, opts) => runPrisma(['migrate', 'resolve', '--rolled-back', name], opts),
};
