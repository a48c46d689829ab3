// Where both tools fail on the same database state, ratchet prints Prisma's
// error code and message verbatim (`Error: CODE`, blank line, message on stderr).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scratchDb } from './lib/db.mjs';
import { expectError, expectExit, show } from './lib/expect.mjs';
import { BASIC, makeMigrationsDir } from './lib/fixtures.mjs';
import { prisma } from './lib/prisma.mjs';
import { ratchet } from './lib/ratchet.mjs';

const [M1, M2] = Object.keys(BASIC);
const BAD = '20240105000000_bad';

/** The `Error: CODE ...` part of stderr (Prisma prints config banners first). */
function errorText(res) {
  const i = res.stderr.indexOf('Error: ');
  return i < 0 ? '' : res.stderr.slice(i).trimEnd();
}

async function sameError(code, label, run) {
  const p = await run(prisma);
  const r = await run(ratchet);
  expectError(p, code, `prisma ${label}`);
  expectError(r, code, `ratchet ${label}`);
  assert.equal(errorText(r), errorText(p), `ratchet ${label}: message differs from Prisma's\n--- ratchet\n${show(r)}\n--- prisma\n${show(p)}`);
}

test('P3009, P3008, P3011, P3012, P3017: same code and message as Prisma', async (t) => {
  const db = await scratchDb(t, 'texts');
  const dir = makeMigrationsDir(t, { [M1]: BASIC[M1], [BAD]: 'SELECT * FROM "does_not_exist";\n' });
  const o = { url: db.url, migrationsDir: dir };
  expectExit(await prisma.deploy(o), 1, 'prisma deploy (fails)');

  await sameError('P3009', 'deploy with a failed migration', (tool) => tool.deploy(o));
  await sameError('P3008', 'resolve --applied of an applied migration', (tool) => tool.resolveApplied(M1, o));
  await sameError('P3012', 'resolve --rolled-back of a finished migration', (tool) => tool.resolveRolledBack(M1, o));
  await sameError('P3011', 'resolve --rolled-back of an unknown migration', (tool) => tool.resolveRolledBack('20990101000000_nope', o));
  await sameError('P3017', 'resolve --applied of an unknown migration', (tool) => tool.resolveApplied('20990101000000_nope', o));
});

test('P3005: same code and message as Prisma on a non-empty unmanaged database', async (t) => {
  const db = await scratchDb(t, 'texts_p3005');
  await db.query('CREATE TABLE legacy (id int)');
  const dir = makeMigrationsDir(t, { [M1]: BASIC[M1], [M2]: BASIC[M2] });
  await sameError('P3005', 'deploy into a non-empty database', (tool) => tool.deploy({ url: db.url, migrationsDir: dir }));
});

// Known difference (reported, not yet decided): Prisma's "failed" block keeps the
// literal "(s)" in its prose and has a whitespace-only line; ratchet pluralises
// by count and names its own resolve command. The names and exit code agree.
test('status "failed" block text matches Prisma (modulo the resolve command)', async (t) => {
  const db = await scratchDb(t, 'texts_failed_block');
  const dir = makeMigrationsDir(t, { [M1]: BASIC[M1], [BAD]: 'SELECT * FROM "does_not_exist";\n' });
  const o = { url: db.url, migrationsDir: dir };
  expectExit(await prisma.deploy(o), 1, 'prisma deploy (fails)');
  const p = await prisma.status(o);
  const r = await ratchet.status(o);
  expectExit(p, 1);
  expectExit(r, 1);
  const norm = (s) => s.slice(s.indexOf('Following')).replaceAll('prisma migrate resolve', 'ratchet resolve').trimEnd();
  assert.equal(norm(r.stderr), norm(p.stderr));
});
