// Both tools use Prisma's advisory lock (pg_advisory_lock(72707369)): while
// one side holds it the other waits, and times out with P1002 when told to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCK_KEY, advisoryLockSessions, lockWaiters, migrationRows, scratchDb, tableExists, waitFor } from './lib/db.mjs';
import { expectApplied, expectError, expectNoPending, expectSuccessRow, show } from './lib/expect.mjs';
import { BASIC, makeMigrationsDir } from './lib/fixtures.mjs';
import { prisma } from './lib/prisma.mjs';
import { ratchet } from './lib/ratchet.mjs';

const NAMES = Object.keys(BASIC);
const LOCK_CONTEXT = /Timed out trying to acquire a postgres advisory lock/;

async function holdLock(db) {
  const c = await db.connect();
  await c.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
  return c;
}

const waiters = (db) => lockWaiters(db); // blocked (Prisma) or polling (ratchet)
const holders = (db) => advisoryLockSessions(db, true);

test('lock held by another session: prisma deploy fails with P1002 after ~10 s', async (t) => {
  const db = await scratchDb(t, 'lock_p1002_p');
  const dir = makeMigrationsDir(t, BASIC);
  await holdLock(db);
  const res = await prisma.deploy({ url: db.url, migrationsDir: dir, timeoutMs: 40000 });
  expectError(res, 'P1002', 'prisma deploy under a held lock');
  assert.match(res.stderr, LOCK_CONTEXT, show(res));
  assert.ok(res.ms >= 9500, `prisma should wait its 10 s first (took ${res.ms} ms)`);
  assert.ok(!(await tableExists(db, '_prisma_migrations')), 'nothing done without the lock');
});

test('lock held by another session: ratchet deploy --lock-timeout 1s fails with P1002 in about a second', async (t) => {
  const db = await scratchDb(t, 'lock_p1002_r');
  const dir = makeMigrationsDir(t, BASIC);
  await holdLock(db);
  const res = await ratchet.deploy({ url: db.url, migrationsDir: dir, timeoutMs: 30000 }, ['--lock-timeout', '1s']);
  expectError(res, 'P1002', 'ratchet deploy --lock-timeout 1s under a held lock');
  assert.match(res.stderr, LOCK_CONTEXT, show(res));
  assert.ok(res.ms >= 900, `ratchet should wait ~1 s before giving up (took ${res.ms} ms)`);
  assert.ok(res.ms < 6000, `ratchet should give up after ~1 s (took ${res.ms} ms)`);
  assert.ok(!(await tableExists(db, '_prisma_migrations')), 'nothing done without the lock');
  assert.equal(await waiters(db), 0, 'ratchet left no waiting session behind');
});

test('lock released after 1 s: a waiting ratchet deploy proceeds', async (t) => {
  const db = await scratchDb(t, 'lock_wait_r');
  const dir = makeMigrationsDir(t, BASIC);
  const holder = await holdLock(db);
  const run = ratchet.deploy({ url: db.url, migrationsDir: dir, timeoutMs: 60000 }, ['--lock-timeout', '30s']);
  await waitFor(async () => (await waiters(db)) >= 1, { what: 'ratchet to wait for the advisory lock' });
  await sleep(1000);
  await holder.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
  const res = await run;
  expectApplied(res, NAMES, 'ratchet deploy after the lock was released');
  assert.ok(res.ms >= 1000, `ratchet must have waited (took ${res.ms} ms)`);
});

test('lock released after 2 s: a waiting prisma deploy proceeds', async (t) => {
  const db = await scratchDb(t, 'lock_wait_p');
  const dir = makeMigrationsDir(t, BASIC);
  const holder = await holdLock(db);
  const run = prisma.deploy({ url: db.url, migrationsDir: dir, timeoutMs: 60000 });
  await waitFor(async () => (await waiters(db)) >= 1, { what: 'prisma to wait for the advisory lock' });
  await sleep(2000);
  await holder.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
  expectApplied(await run, NAMES, 'prisma deploy after the lock was released');
});

// The first migration blocks on a second advisory lock (GATE) that the test
// holds, so the first tool provably sits inside its deploy -- holding Prisma's
// lock -- until the test opens the gate. pg_advisory_xact_lock works both inside
// ratchet's transaction and in the adapter's autocommit statements.
const GATE = 4242;
const GATED = {
  '20240101000000_gated': `SELECT pg_advisory_xact_lock(${GATE});\nCREATE TABLE "Gated" ("id" INT);\n`,
  '20240102000000_after': 'CREATE TABLE "AfterGated" ("id" INT);\n',
};

async function gatedRace(t, label, first, second) {
  const db = await scratchDb(t, label);
  const dir = makeMigrationsDir(t, GATED);
  const o = { url: db.url, migrationsDir: dir, timeoutMs: 60000 };
  const gate = await db.connect();
  await gate.query('SELECT pg_advisory_lock($1)', [GATE]);

  const a = first.run(o);
  await waitFor(async () => (await holders(db)) >= 1 && (await advisoryLockSessions(db, false, GATE)) >= 1, {
    timeoutMs: 30000,
    what: `${first.name} to hold the migration lock and block inside its first migration`,
  });
  const b = second.run(o);
  await waitFor(async () => (await waiters(db)) >= 1, { timeoutMs: 30000, what: `${second.name} to wait for the migration lock` });
  await gate.query('SELECT pg_advisory_unlock($1)', [GATE]);

  const ares = await a;
  expectApplied(ares, Object.keys(GATED), `${first.name} deploy`);
  const bres = await b;
  expectNoPending(bres, `${second.name} deploy started while ${first.name} held the lock`);
  const rows = await migrationRows(db);
  assert.deepEqual(rows.map((x) => x.migration_name), Object.keys(GATED), 'each migration applied once');
  for (const x of rows) expectSuccessRow(x, { name: x.migration_name }, first.name);
}

const P = { name: 'prisma', run: (o) => prisma.deploy(o) };
const R = { name: 'ratchet', run: (o) => ratchet.deploy(o, ['--lock-timeout', '60s']) };

test('ratchet waits for a running prisma deploy, then finds nothing pending', (t) => gatedRace(t, 'lock_p_running', P, R));

test('prisma waits for a running ratchet deploy, then finds nothing pending', (t) => gatedRace(t, 'lock_r_running', R, P));
