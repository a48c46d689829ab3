// A fleet deploying at once, ratchet and Prisma mixed (issue: torture, concurrency "mixed with a
// real Prisma migrate deploy process"): the shared advisory lock serialises them, so every
// migration is applied exactly once and in order, whoever applies it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrationRows, scratchDb } from './lib/db.mjs';
import { show } from './lib/expect.mjs';
import { makeMigrationsDir } from './lib/fixtures.mjs';
import { prisma } from './lib/prisma.mjs';
import { ratchet } from './lib/ratchet.mjs';

const COUNT = 30;
const RATCHETS = 4;

function fleetMigrations() {
  const m = {};
  for (let i = 1; i <= COUNT; i++) {
    const name = `2024010100${String(i).padStart(4, '0')}_m${i}`;
    m[name] = `CREATE TABLE t${i} (id int);\nINSERT INTO t${i} VALUES (${i});\nCREATE TABLE IF NOT EXISTS applied_log (name text, at timestamptz DEFAULT clock_timestamp());\nINSERT INTO applied_log (name) VALUES ('${name}');\n`;
  }
  return m;
}

test(`${RATCHETS} ratchet deploys and 1 prisma deploy at once: each migration exactly once, in order`, async (t) => {
  const db = await scratchDb(t, 'mixed_fleet');
  const migrations = fleetMigrations();
  const dir = makeMigrationsDir(t, migrations);
  const o = { url: db.url, migrationsDir: dir, timeoutMs: 120000 };
  const runs = [prisma.deploy(o)];
  for (let i = 0; i < RATCHETS; i++) runs.push(ratchet.deploy(o, ['--lock-timeout', '60s']));
  const results = await Promise.all(runs);
  // Prisma waits at most 10 s for the lock: it either applied some or failed with P1002 before
  // touching anything. Every ratchet deployer must succeed.
  for (const res of results.slice(1)) assert.equal(res.code, 0, `ratchet deploy\n${show(res)}`);
  const p = results[0];
  assert.ok(p.code === 0 || /P1002/.test(p.stderr), `prisma deploy: success or lock timeout only\n${show(p)}`);

  const rows = await migrationRows(db);
  const names = Object.keys(migrations);
  assert.equal(rows.length, COUNT, 'one history row per migration');
  assert.deepEqual(rows.map((r) => r.migration_name).sort(), [...names].sort());
  for (const r of rows) {
    assert.ok(r.finished_at && !r.rolled_back_at, `${r.migration_name} finished`);
  }
  const c = await db.connect();
  const log = (await c.query('SELECT name FROM applied_log ORDER BY at')).rows.map((r) => r.name);
  assert.deepEqual(log, names, 'each migration ran exactly once, in directory order');
});
