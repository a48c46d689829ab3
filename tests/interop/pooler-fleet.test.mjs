// Through a transaction pooler (issue #13): 8 `ratchet deploy` through PgBouncer in transaction
// mode (pool of 2 server connections, fewer than the deployers) and one real `prisma migrate
// deploy` on the direct port, at once. ratchet deploys pooler-safe (the lock inside each
// migration's transaction), Prisma takes its session lock: every migration is applied exactly
// once, in order, and no advisory lock is left in pg_locks. scripts/pg-cluster.sh starts PgBouncer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrationRows, scratchDb } from './lib/db.mjs';
import { show } from './lib/expect.mjs';
import { makeMigrationsDir } from './lib/fixtures.mjs';
import { prisma } from './lib/prisma.mjs';
import { ratchet } from './lib/ratchet.mjs';

const COUNT = 20;
const RATCHETS = 8;
const port = process.env.RATCHET_TEST_PGBOUNCER_TRANSACTION_PORT;

function migrations() {
  const m = {};
  for (let i = 1; i <= COUNT; i++) {
    const name = `2024020100${String(i).padStart(4, '0')}_p${i}`;
    m[name] = `CREATE TABLE p${i} (id int);\nCREATE TABLE IF NOT EXISTS applied_log (name text, at timestamptz DEFAULT clock_timestamp());\nINSERT INTO applied_log (name) VALUES ('${name}');\n`;
  }
  return m;
}

test(`${RATCHETS} ratchet deploys through PgBouncer (transaction mode) and 1 prisma deploy direct`, async (t) => {
  if (!port) {
    if (process.env.CI === 'true') assert.fail('RATCHET_TEST_PGBOUNCER_TRANSACTION_PORT is not set (scripts/pg-cluster.sh starts PgBouncer)');
    t.skip('no PgBouncer');
    return;
  }
  const db = await scratchDb(t, 'pooler_fleet');
  const m = migrations();
  const dir = makeMigrationsDir(t, m);
  const pooled = new URL(db.url);
  pooled.port = port;
  const runs = [prisma.deploy({ url: db.url, migrationsDir: dir, timeoutMs: 120000 })];
  for (let i = 0; i < RATCHETS; i++) {
    runs.push(ratchet.deploy({ url: pooled.toString(), migrationsDir: dir, timeoutMs: 120000 }, ['--lock-timeout', '60s', '--json']));
  }
  const results = await Promise.all(runs);
  for (const res of results.slice(1)) {
    assert.equal(res.code, 0, `ratchet deploy through PgBouncer\n${show(res)}`);
    if (res.json.applied.length > 0) assert.ok(res.json.pooler, `applied pooler-safe\n${show(res)}`);
  }
  const p = results[0];
  assert.ok(p.code === 0 || /P1002/.test(p.stderr), `prisma deploy: success or lock timeout only\n${show(p)}`);

  const rows = await migrationRows(db);
  assert.equal(rows.length, COUNT, 'one history row per migration');
  for (const r of rows) assert.ok(r.finished_at && !r.rolled_back_at, `${r.migration_name} finished`);
  const c = await db.connect();
  const log = (await c.query('SELECT name FROM applied_log ORDER BY at')).rows.map((r) => r.name);
  assert.deepEqual(log, Object.keys(m), 'each migration ran exactly once, in directory order');
  const locks = await c.query(
    "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
  assert.equal(locks.rows[0].n, 0, 'no advisory lock left behind');
});
