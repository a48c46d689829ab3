#!/usr/bin/env node
// A stand-in for Prisma 7's native `schema-engine` binary (PRISMA_SCHEMA_ENGINE_BINARY), which
// cannot be downloaded here: it serves the CLI's JSON-RPC over stdin/stdout with the WebAssembly
// schema engine shipped in the prisma 7 package (build/schema_engine_bg.wasm), loaded with the
// wasm-bindgen glue of @prisma/schema-engine-wasm (same import/export names) and connected
// through @prisma/adapter-pg 7. See shared/docs/prisma-compat.md section 13.
//   schema-engine [--datamodels FILE]... [--datasource '{"url": ...}']     JSON-RPC mode
//   schema-engine --datasource '{"url": ...}' cli can-connect-to-database   exit 0 / 1
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MODULES = path.join(HERE, '..', 'node_modules');
const require = createRequire(import.meta.url);

const argv = process.argv.slice(2);
const datamodels = [];
let url = process.env.RATCHET_STANDIN_URL ?? null;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--datamodels') datamodels.push(argv[++i]);
  else if (argv[i] === '--datasource') {
    const v = argv[++i];
    url = v.startsWith('{') ? JSON.parse(v).url : v;
  }
}
if (argv.includes('--version')) {
  process.stdout.write('schema-engine-cli wasm-stand-in\n');
  process.exit(0);
}

const pg = require(path.join(MODULES, 'pg'));
const { PrismaPg } = require(path.join(MODULES, '@prisma', 'adapter-pg7'));
const utils = require(require.resolve('@prisma/driver-adapter-utils',
  { paths: [path.join(MODULES, '@prisma', 'adapter-pg7')] }));

/** Native `?schema=X`: search_path = "X" (the adapter ignores the parameter). */
const urlSchema = new URL(url).searchParams.get('schema');
function poolConfig() {
  const u = new URL(url);
  u.searchParams.delete('schema');
  const cfg = { connectionString: u.toString(), max: 1, idleTimeoutMillis: 2000, allowExitOnIdle: true };
  if (urlSchema) cfg.options = `-c search_path="${urlSchema.replaceAll('"', '""')}"`;
  return cfg;
}

if (argv.includes('cli')) {
  // can-connect-to-database (create-database is not needed: the tests create their databases)
  const c = new pg.Client(poolConfig());
  try {
    await c.connect();
    await c.end();
    process.exit(0);
  } catch (e) {
    process.stderr.write('\n' + JSON.stringify({ level: 'ERROR', target: 'schema_engine::logger',
      fields: { message: String(e.message), error_code: 'P1001' } }) + '\n');
    process.exit(1);
  }
}

const bg = await import(path.join(MODULES, '@prisma', 'schema-engine-wasm', 'schema_engine_bg.js'));
const wasmFile = path.join(MODULES, 'prisma7', 'build', 'schema_engine_bg.wasm');
const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasmFile)),
  { './schema_engine_bg.js': bg });
bg.__wbg_set_wasm(instance.exports);
instance.exports.__wbindgen_start?.();

// The schema option makes the engine inspect that schema (native: the URL's ?schema=).
const adapter = utils.bindMigrationAwareSqlAdapterFactory(
  new PrismaPg(poolConfig(), urlSchema ? { schema: urlSchema } : undefined));
const files = datamodels.map((f) => [f, fs.readFileSync(f, 'utf8')]);
const log = (line) => { if (process.env.RATCHET_STANDIN_DEBUG) process.stderr.write(line + '\n'); };
const engine = await bg.SchemaEngine.new({ datamodels: files }, log, adapter);

const send = (msg) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', ...msg }) + '\n');
const rl = readline.createInterface({ input: process.stdin });
let pending = Promise.resolve();
rl.on('line', (line) => {
  if (!line.trim()) return;
  const msg = JSON.parse(line);
  if (msg.method === undefined) return;
  pending = pending.then(async () => {
    const method = msg.method === 'getDatabaseVersion' ? 'version' : msg.method;
    const params = Array.isArray(msg.params) ? msg.params[0] : msg.params;
    try {
      if (typeof engine[method] !== 'function') throw new Error(`unknown method ${msg.method}`);
      const result = await engine[method](params);
      send({ id: msg.id, result: result ?? null });
    } catch (e) {
      const isPanic = e instanceof WebAssembly.RuntimeError;
      send({ id: msg.id, error: { code: 4466, message: 'An error happened. Check the data field for details.',
        data: { is_panic: isPanic, message: String(e?.message ?? e), meta: e?.meta ?? null,
          error_code: e?.code ?? null } } });
    }
  });
});
rl.on('close', () => pending.then(() => process.exit(0)));
