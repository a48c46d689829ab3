// Real Prisma projects, Prisma 6.19 and 7.10: `ratchet deploy` with no flags must change the same
// database and the same migrations directory that the project's own `prisma migrate deploy`
// resolves. What Prisma resolves is observed, not assumed: its CLI runs unmodified, with
// PRISMA_SCHEMA_ENGINE_BINARY pointing at engine/recording-schema-engine.mjs, which records the
// URL the CLI hands to the engine (`--datasource`) and the directory it asks it to apply.
// Each project has a decoy database (the pooler `url`, a stray DATABASE_URL, a wrong .env)
// that must stay untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { INTEROP_ROOT } from './lib/prisma.mjs';
import { ratchetBin } from './lib/ratchet.mjs';
import { scratchDb, migrationRows, tableExists } from './lib/db.mjs';
import { writeMigration, BASIC } from './lib/fixtures.mjs';

const MODULES = path.join(INTEROP_ROOT, 'node_modules');
const PRISMA = { 6: path.join(MODULES, 'prisma'), 7: path.join(MODULES, 'prisma7') };
const RECORDER = path.join(INTEROP_ROOT, 'engine', 'recording-schema-engine.mjs');
const [M1, M2] = Object.keys(BASIC);

/** A project directory: files {relative path: text}, node_modules/prisma = the given major. */
function makeProject(t, major, files, migrationsDir) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `ratchet-interop-project${major}-`));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  fs.mkdirSync(path.join(root, 'node_modules'), { recursive: true });
  fs.symlinkSync(PRISMA[major], path.join(root, 'node_modules', 'prisma'));
  fs.symlinkSync(path.join(MODULES, 'dotenv'), path.join(root, 'node_modules', 'dotenv'));
  for (const name of [M1, M2]) writeMigration(path.join(root, migrationsDir), name, BASIC[name]);
  return root;
}

/** Environment of a shell with nothing exported but `extra`. */
function cleanEnv(extra = {}) {
  const env = { ...process.env, NO_COLOR: '1', CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  for (const k of ['DATABASE_URL', 'DIRECT_URL', 'NODE_OPTIONS', 'PRISMA_SCHEMA_ENGINE_BINARY']) delete env[k];
  return { ...env, ...extra };
}

function run(cmd, args, cwd, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the project's `prisma migrate deploy` and returns what it resolved. */
async function prismaResolves(root, major, env = {}) {
  const recordFile = path.join(root, '.engine-record.jsonl');
  const res = await run(process.execPath, [path.join(PRISMA[major], 'build', 'index.js'), 'migrate', 'deploy'], root,
    cleanEnv({ ...env, PRISMA_SCHEMA_ENGINE_BINARY: RECORDER, RECORD_FILE: recordFile,
      PRISMA_QUERY_ENGINE_LIBRARY: RECORDER }));
  const records = fs.existsSync(recordFile)
    ? fs.readFileSync(recordFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
  const probe = records.find((r) => r.argv && r.argv.includes('can-connect-to-database'));
  let url = probe?.datasource ?? null;
  if (url && url.startsWith('{')) url = JSON.parse(url).url; // 7.x passes {"url": ...}
  const rpc = records.find((r) => r.method === 'applyMigrations' || r.method === 'listMigrationDirectories');
  const p = Array.isArray(rpc?.params) ? rpc.params[0] : rpc?.params;
  const dir = p?.migrationsDirectoryPath ?? p?.migrationsList?.baseDir ?? null;
  return { url, dir, res, records };
}

/** Runs `ratchet deploy` (no flags) in the project. */
async function ratchetDeploy(root, env = {}) {
  const res = await run(ratchetBin(), ['deploy'], root, cleanEnv(env));
  const m = /migrations? found in (.*)\n/.exec(res.stdout);
  return { res, dir: m ? path.resolve(root, m[1]) : null };
}

const show = (r) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** The check every fixture shares. */
async function sameTarget(t, { root, major, right, decoy, migrationsDir, env = {} }) {
  const p = await prismaResolves(root, major, env);
  assert.equal(p.url, right.url, `prisma ${major} resolved another URL\n${show(p.res)}\n${JSON.stringify(p.records)}`);
  assert.equal(p.dir, path.join(root, migrationsDir), `prisma ${major} resolved another directory\n${show(p.res)}`);

  const r = await ratchetDeploy(root, env);
  assert.equal(r.res.code, 0, `ratchet deploy\n${show(r.res)}`);
  assert.equal(r.dir, p.dir, `ratchet used another directory\n${show(r.res)}`);
  assert.deepEqual((await migrationRows(right)).map((x) => x.migration_name), [M1, M2]);
  assert.equal(await tableExists(decoy, '_prisma_migrations'), false, 'the decoy database was changed');
  // The opening lines name the target, never a password.
  assert.match(r.res.stderr, new RegExp(`Datasource "db": PostgreSQL database "${right.name}", schema "public" at "`));
  assert.doesNotMatch(r.res.stderr + r.res.stdout, /s3cr3t/);
}

const withPassword = (url) => url.replace('://postgres@', '://postgres:s3cr3t@');

test('Prisma 6 layout: .env, url (pooler) + directUrl, schema in prisma/', async (t) => {
  const right = await scratchDb(t, 'p6_direct');
  const decoy = await scratchDb(t, 'p6_pooler');
  const root = makeProject(t, 6, {
    'package.json': '{"name": "app", "private": true}\n',
    '.env': `DATABASE_URL="${decoy.url}?pgbouncer=true"\nDIRECT_URL=${right.url}\n`,
    'prisma/schema.prisma':
      '// url = env("NOT_THIS") -- a comment\n' +
      'datasource db {\n  provider  = "postgresql"\n  url       = env("DATABASE_URL")\n' +
      '  directUrl = env("DIRECT_URL")\n}\n\nmodel User {\n  id Int @id\n}\n',
  }, 'prisma/migrations');
  await sameTarget(t, { root, major: 6, right, decoy, migrationsDir: 'prisma/migrations' });
});

test('Prisma 6 multi-file schema folder named in package.json, env in prisma/.env', async (t) => {
  const right = await scratchDb(t, 'p6_multi');
  const decoy = await scratchDb(t, 'p6_multi_decoy');
  const root = makeProject(t, 6, {
    'package.json': '{"name": "app", "prisma": {"schema": "prisma/schema"}}\n',
    'prisma/.env': `DATABASE_URL=${right.url}\n`,
    'prisma/schema/main.prisma': 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
    'prisma/schema/user.prisma': 'model User {\n  id Int @id\n}\n',
    // A stale root schema: package.json's prisma.schema comes first.
    'schema.prisma': `datasource db {\n  provider = "postgresql"\n  url = "${decoy.url}"\n}\n`,
  }, 'prisma/schema/migrations');
  await sameTarget(t, { root, major: 6, right, decoy, migrationsDir: 'prisma/schema/migrations' });
});

test('Prisma 6 monorepo: package.json prisma.schema, .env next to package.json, exported variable wins', async (t) => {
  const right = await scratchDb(t, 'p6_mono');
  const decoy = await scratchDb(t, 'p6_mono_decoy');
  const root = makeProject(t, 6, {
    'package.json': '{"name": "mono", "private": true, "prisma": {"schema": "packages/db/prisma/schema.prisma"}}\n',
    '.env': `DATABASE_URL=${decoy.url}\n`,
    'packages/db/prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
  }, 'packages/db/prisma/migrations');
  await sameTarget(t, { root, major: 6, right, decoy, migrationsDir: 'packages/db/prisma/migrations',
    env: { DATABASE_URL: right.url } });
});

test('Prisma 7 layout: prisma.config.ts with dotenv/config, migrations.path elsewhere', async (t) => {
  const right = await scratchDb(t, 'p7_config');
  const decoy = await scratchDb(t, 'p7_decoy');
  const root = makeProject(t, 7, {
    'package.json': '{"name": "app7", "private": true, "type": "module"}\n',
    '.env': `DATABASE_URL=${right.url}\nDIRECT_URL=${decoy.url}\n`,
    'prisma.config.ts':
      'import "dotenv/config";\nimport { defineConfig, env } from "prisma/config";\n\n' +
      'export default defineConfig({\n  schema: "prisma/schema.prisma",\n' +
      '  migrations: { path: "db/migrations" },\n  datasource: { url: env("DATABASE_URL") },\n});\n',
    'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n}\n\nmodel User {\n  id Int @id\n}\n',
  }, 'db/migrations');
  await sameTarget(t, { root, major: 7, right, decoy, migrationsDir: 'db/migrations' });

  // Without node's help (static reading), the same result.
  const again = await ratchetDeploy(root, { RATCHET_PRISMA_CONFIG_NODE: '0' });
  assert.equal(again.res.code, 0, show(again.res));
  assert.match(again.res.stdout, /No pending migrations to apply/);
});

test('a password never appears in the opening lines', async (t) => {
  const right = await scratchDb(t, 'p6_password');
  const root = makeProject(t, 6, {
    '.env': `DATABASE_URL=${withPassword(right.url)}\n`,
    'schema.prisma': 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
  }, 'migrations');
  const r = await run(ratchetBin(), ['status'], root, cleanEnv());
  assert.match(r.stderr, /Environment variables loaded from \.env\nPrisma schema loaded from schema\.prisma\n/);
  assert.doesNotMatch(r.stdout + r.stderr, /s3cr3t/);
});
