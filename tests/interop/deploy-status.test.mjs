// One tool deploys, the other sees the history as its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrationRows, scratchDb, tableExists, migrationsTableShape } from './lib/db.mjs';
import {
  expectApplied,
  expectNoPending,
  expectResolvedAppliedRow,
  expectStatusPending,
  expectSuccessRow,
  expectUpToDate,
  UUID_V4,
} from './lib/expect.mjs';
import { BASIC, checksumOf, makeMigrationsDir, writeMigration } from './lib/fixtures.mjs';
import { prisma } from './lib/prisma.mjs';
import { ratchet } from './lib/ratchet.mjs';

const NAMES = Object.keys(BASIC);

test('ratchet deploys; prisma status is up to date and prisma deploy applies nothing', async (t) => {
  const db = await scratchDb(t, 'r_then_p');
  const dir = makeMigrationsDir(t, BASIC);
  const o = { url: db.url, migrationsDir: dir };

  expectApplied(await ratchet.deploy(o), NAMES, 'ratchet deploy');
  expectUpToDate(await prisma.status(o), 'prisma status');
  expectNoPending(await prisma.deploy(o), 'prisma deploy');
  expectUpToDate(await ratchet.status(o), 'ratchet status');

  const rows = await migrationRows(db);
  assert.deepEqual(rows.map((r) => r.migration_name), NAMES, 'no extra rows written by prisma');
  for (const r of rows) expectSuccessRow(r, { name: r.migration_name, checksum: checksumOf(dir, r.migration_name) }, 'ratchet');

  // A migration added later: both tools see it as pending; prisma applies it on top of ratchet's history.
  writeMigration(dir, '20240104000000_comments', 'CREATE TABLE "Comment" ("id" SERIAL PRIMARY KEY, "body" TEXT NOT NULL);\n');
  expectStatusPending(await prisma.status(o), ['20240104000000_comments'], 'prisma status (pending)');
  expectStatusPending(await ratchet.status(o), ['20240104000000_comments'], 'ratchet status (pending)');
  expectApplied(await prisma.deploy(o), ['20240104000000_comments'], 'prisma deploy (new)');
  expectUpToDate(await ratchet.status(o), 'ratchet status after prisma applied the new one');
  expectNoPending(await ratchet.deploy(o), 'ratchet deploy after prisma applied the new one');
});

test('prisma deploys; ratchet status is up to date and ratchet deploy applies nothing', async (t) => {
  const db = await scratchDb(t, 'p_then_r');
  const dir = makeMigrationsDir(t, BASIC);
  const o = { url: db.url, migrationsDir: dir };

  expectApplied(await prisma.deploy(o), NAMES, 'prisma deploy');
  expectUpToDate(await ratchet.status(o), 'ratchet status');
  expectNoPending(await ratchet.deploy(o), 'ratchet deploy');
  expectUpToDate(await prisma.status(o), 'prisma status');

  const rows = await migrationRows(db);
  assert.deepEqual(rows.map((r) => r.migration_name), NAMES, 'no extra rows written by ratchet');

  writeMigration(dir, '20240104000000_comments', 'CREATE TABLE "Comment" ("id" SERIAL PRIMARY KEY, "body" TEXT NOT NULL);\n');
  expectApplied(await ratchet.deploy(o), ['20240104000000_comments'], 'ratchet deploy (new)');
  expectUpToDate(await prisma.status(o), 'prisma status after ratchet applied the new one');
  expectNoPending(await prisma.deploy(o), 'prisma deploy after ratchet applied the new one');
});

test('ratchet --json deploy/status on a Prisma-made history', async (t) => {
  const db = await scratchDb(t, 'json');
  const dir = makeMigrationsDir(t, BASIC);
  const o = { url: db.url, migrationsDir: dir };
  expectApplied(await prisma.deploy(o), NAMES, 'prisma deploy');

  const st = await ratchet.status(o, ['--json']);
  assert.equal(st.code, 0, `ratchet status --json\n${st.stdout}\n${st.stderr}`);
  assert.ok(st.json, `status --json: stdout is not one JSON object (${st.jsonError})\n${st.stdout}`);
  assert.equal(st.json.ok, true, st.stdout);
  assert.deepEqual(st.json.pending ?? [], [], st.stdout);
  assert.deepEqual(st.json.failed ?? [], [], st.stdout);

  const dep = await ratchet.deploy(o, ['--json']);
  assert.equal(dep.code, 0, `ratchet deploy --json\n${dep.stdout}\n${dep.stderr}`);
  assert.ok(dep.json, `deploy --json: stdout is not one JSON object (${dep.jsonError})\n${dep.stdout}`);
  assert.equal(dep.json.ok, true, dep.stdout);
  assert.equal(dep.json.error ?? null, null, dep.stdout);
  assert.deepEqual(dep.json.applied, [], dep.stdout);
});

test('rows written by ratchet and by prisma match field by field', async (t) => {
  const dbR = await scratchDb(t, 'rows_r');
  const dbP = await scratchDb(t, 'rows_p');
  const extra = '20240104000000_baseline_only';
  // CRLF line endings and a Latin-1 byte (invalid UTF-8) in a comment: the checksum
  // is SHA-256 of the lossily decoded text (U+FFFD), not of the raw bytes.
  const enc = '20240103000001_crlf_latin1';
  const deployed = [...NAMES, enc];
  const dir = makeMigrationsDir(t, {
    ...BASIC,
    [enc]: Buffer.concat([Buffer.from('-- caf'), Buffer.from([0xe9]), Buffer.from(' au lait\r\nCREATE TABLE "Latin" ("id" INT);\r\n')]),
    [extra]: 'CREATE TABLE "Audit" ("id" INT);\n',
  });
  const oR = { url: dbR.url, migrationsDir: dir };
  const oP = { url: dbP.url, migrationsDir: dir };

  // Record `extra` with resolve --applied first (both tools), then deploy the rest.
  expectExit0(await ratchet.resolveApplied(extra, oR), 'ratchet resolve --applied');
  expectExit0(await prisma.resolveApplied(extra, oP), 'prisma resolve --applied');
  expectApplied(await ratchet.deploy(oR), deployed, 'ratchet deploy');
  expectApplied(await prisma.deploy(oP), deployed, 'prisma deploy');

  // Same table definition, whichever tool created it.
  assert.deepEqual(await migrationsTableShape(dbR), await migrationsTableShape(dbP), '_prisma_migrations DDL differs');

  const rowsR = await migrationRows(dbR);
  const rowsP = await migrationRows(dbP);
  const order = [extra, ...deployed];
  assert.deepEqual(rowsR.map((r) => r.migration_name), order, 'ratchet rows (by started_at)');
  assert.deepEqual(rowsP.map((r) => r.migration_name), order, 'prisma rows (by started_at)');

  for (let i = 0; i < order.length; i++) {
    const name = order[i];
    const r = rowsR[i];
    const p = rowsP[i];
    const checksum = checksumOf(dir, name);
    if (name === extra) {
      expectResolvedAppliedRow(r, { name, checksum }, 'ratchet');
      expectResolvedAppliedRow(p, { name, checksum }, 'prisma');
    } else {
      expectSuccessRow(r, { name, checksum }, 'ratchet');
      expectSuccessRow(p, { name, checksum }, 'prisma');
    }
    // Field by field. Not compared: id (random), timestamps' values and precision
    // (the adapter stores ms, native/ratchet µs).
    for (const f of ['migration_name', 'checksum', 'logs', 'applied_steps_count']) {
      assert.deepEqual(r[f], p[f], `${name}.${f}: ratchet=${JSON.stringify(r[f])} prisma=${JSON.stringify(p[f])}`);
    }
    for (const f of ['finished_at', 'rolled_back_at']) {
      assert.equal(r[f] === null, p[f] === null, `${name}.${f} NULL-ness: ratchet=${r[f]} prisma=${p[f]}`);
    }
    assert.match(r.id, UUID_V4);
    assert.notEqual(r.id, p.id);
  }
  // Distinct ids within each table.
  assert.equal(new Set(rowsR.map((r) => r.id)).size, rowsR.length);

  // Each tool accepts the other's history as complete.
  expectUpToDate(await prisma.status(oR), 'prisma status on ratchet db');
  expectUpToDate(await ratchet.status(oP), 'ratchet status on prisma db');
});

test('?schema=: ratchet deploys into a non-public schema that prisma (search_path) sees as up to date', async (t) => {
  const db = await scratchDb(t, 'schema');
  const dir = makeMigrationsDir(t, BASIC);
  const url = db.urlWithSchema('tenant1');
  const o = { url, migrationsDir: dir };

  expectApplied(await ratchet.deploy(o), NAMES, 'ratchet deploy ?schema=tenant1');
  assert.ok(await tableExists(db, '_prisma_migrations', 'tenant1'), '_prisma_migrations must be in tenant1');
  assert.ok(await tableExists(db, 'User', 'tenant1'), 'User must be in tenant1');
  assert.ok(!(await tableExists(db, '_prisma_migrations', 'public')), 'nothing in public');
  expectUpToDate(await prisma.status(o), 'prisma status ?schema=tenant1');
  expectNoPending(await prisma.deploy(o), 'prisma deploy ?schema=tenant1');

  // The public schema of the same database is a different, empty history.
  expectStatusPending(await prisma.status({ url: db.url, migrationsDir: dir }), NAMES, 'prisma status public');
});

function expectExit0(res, label) {
  assert.equal(res.code, 0, `${label}\nexit=${res.code}\n--- stdout\n${res.stdout}\n--- stderr\n${res.stderr}`);
}
