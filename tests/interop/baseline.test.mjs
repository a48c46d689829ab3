// Baselining a non-empty database with one tool is accepted by the other.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrationRows, scratchDb } from './lib/db.mjs';
import {
  expectApplied,
  expectError,
  expectExit,
  expectNoPending,
  expectResolvedAppliedRow,
  expectStatusPending,
  expectSuccessRow,
  expectUpToDate,
  show,
} from './lib/expect.mjs';
import { BASIC, checksumOf, makeMigrationsDir } from './lib/fixtures.mjs';
import { prisma } from './lib/prisma.mjs';
import { ratchet } from './lib/ratchet.mjs';

const [M1, M2, M3] = Object.keys(BASIC);

async function existingDatabase(t, label) {
  const db = await scratchDb(t, label);
  // The "production" database that predates migrations: what M1 would create.
  await db.query(BASIC[M1]);
  return db;
}

test('baseline with ratchet resolve --applied on a non-empty database is accepted by prisma', async (t) => {
  const db = await existingDatabase(t, 'base_r');
  const dir = makeMigrationsDir(t, BASIC);
  const o = { url: db.url, migrationsDir: dir };

  // Both refuse to deploy into an unmanaged, non-empty schema.
  expectError(await prisma.deploy(o), 'P3005', 'prisma deploy before baseline');
  expectError(await ratchet.deploy(o), 'P3005', 'ratchet deploy before baseline');
  expectStatusPending(await prisma.status(o), [M1, M2, M3], 'prisma status before baseline');

  const rr = await ratchet.resolveApplied(M1, o);
  expectExit(rr, 0, 'ratchet resolve --applied');
  assert.match(rr.stdout, new RegExp(`Migration ${M1} marked as applied\\.`), show(rr));
  const [row] = await migrationRows(db);
  expectResolvedAppliedRow(row, { name: M1, checksum: checksumOf(dir, M1) }, 'ratchet baseline');

  const st = await prisma.status(o);
  expectStatusPending(st, [M2, M3], 'prisma status after baseline');
  assert.ok(!st.stdout.split('have not yet been applied:')[1].includes(M1), `${M1} must not be pending\n${show(st)}`);

  expectApplied(await prisma.deploy(o), [M2, M3], 'prisma deploy after ratchet baseline');
  expectUpToDate(await prisma.status(o), 'prisma status at the end');
  expectUpToDate(await ratchet.status(o), 'ratchet status at the end');
  expectNoPending(await ratchet.deploy(o), 'ratchet deploy at the end');

  const rows = await migrationRows(db);
  assert.deepEqual(rows.map((r) => r.migration_name), [M1, M2, M3]);
  expectResolvedAppliedRow(rows[0], { name: M1, checksum: checksumOf(dir, M1) }, 'baseline row untouched');
  for (const r of rows.slice(1)) expectSuccessRow(r, { name: r.migration_name, checksum: checksumOf(dir, r.migration_name) }, 'prisma');

  // Marking it applied again is refused by both (P3008).
  expectError(await ratchet.resolveApplied(M1, o), 'P3008', 'ratchet resolve --applied twice');
  expectError(await prisma.resolveApplied(M1, o), 'P3008', 'prisma resolve --applied twice');
});

test('baseline with prisma resolve --applied is accepted by ratchet', async (t) => {
  const db = await existingDatabase(t, 'base_p');
  const dir = makeMigrationsDir(t, BASIC);
  const o = { url: db.url, migrationsDir: dir };

  expectExit(await prisma.resolveApplied(M1, o), 0, 'prisma resolve --applied');
  expectStatusPending(await ratchet.status(o), [M2, M3], 'ratchet status after prisma baseline');
  expectApplied(await ratchet.deploy(o), [M2, M3], 'ratchet deploy after prisma baseline');
  expectUpToDate(await prisma.status(o), 'prisma status at the end');
  expectNoPending(await prisma.deploy(o), 'prisma deploy at the end');

  const rows = await migrationRows(db);
  assert.deepEqual(rows.map((r) => r.migration_name), [M1, M2, M3]);
  expectResolvedAppliedRow(rows[0], { name: M1, checksum: checksumOf(dir, M1) }, 'prisma baseline');
  for (const r of rows.slice(1)) expectSuccessRow(r, { name: r.migration_name, checksum: checksumOf(dir, r.migration_name) }, 'ratchet');
});
