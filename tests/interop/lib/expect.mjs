// Assertions shared by the interop tests. Every failure message carries the
// command's stdout/stderr so a red run explains itself.
import assert from 'node:assert/strict';

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function show(res) {
  return `exit=${res.code} signal=${res.signal} (${res.ms} ms)\n--- stdout\n${res.stdout}\n--- stderr\n${res.stderr}`;
}

export function expectExit(res, code, label = '') {
  assert.equal(res.code, code, `${label}: expected exit ${code}\n${show(res)}`);
}

export function expectUpToDate(res, label = 'status') {
  expectExit(res, 0, label);
  assert.match(res.stdout, /Database schema is up to date!/, `${label}: not up to date\n${show(res)}`);
}

export function expectNoPending(res, label = 'deploy') {
  expectExit(res, 0, label);
  assert.match(res.stdout, /No pending migrations to apply\./, `${label}: expected nothing to apply\n${show(res)}`);
  assert.doesNotMatch(res.stdout, /have been applied/, `${label}: applied something\n${show(res)}`);
}

/** Deploy succeeded and applied exactly `names` (in this order). */
export function expectApplied(res, names, label = 'deploy') {
  expectExit(res, 0, label);
  assert.match(res.stdout, /The following migration\(s\) have been applied:/, `${label}\n${show(res)}`);
  assert.match(res.stdout, /All migrations have been successfully applied\./, `${label}\n${show(res)}`);
  let last = -1;
  for (const n of names) {
    const i = res.stdout.indexOf(n);
    assert.ok(i > last, `${label}: expected ${n} in the applied list, in order\n${show(res)}`);
    last = i;
  }
}

/** Not-yet-applied list from `status` (exit 1). */
export function expectStatusPending(res, names, label = 'status') {
  expectExit(res, 1, label);
  assert.match(res.stdout, /Following migrations? ha(ve|s) not yet been applied:/, `${label}\n${show(res)}`);
  for (const n of names) assert.ok(res.stdout.includes(n), `${label}: ${n} not listed as pending\n${show(res)}`);
}

export function expectStatusFailed(res, names, label = 'status') {
  expectExit(res, 1, label);
  assert.match(res.stderr, /Following migrations? ha(ve|s) failed:/, `${label}\n${show(res)}`);
  for (const n of names) assert.ok(res.stderr.includes(n), `${label}: ${n} not listed as failed\n${show(res)}`);
}

/** CLI error `Error: CODE` on stderr, exit 1. */
export function expectError(res, code, label = '') {
  expectExit(res, 1, label);
  assert.match(res.stderr, new RegExp(`Error: ${code}\\b`), `${label}: expected ${code}\n${show(res)}`);
}

const iso = (d) => (d instanceof Date ? d.toISOString() : String(d));

/** A row written by a successful apply (Prisma §3.3 / §10). */
export function expectSuccessRow(row, { name, checksum }, label = '') {
  const ctx = `${label} ${name}: ${JSON.stringify(row)}`;
  assert.match(row.id, UUID_V4, `id must be a lower-case uuid v4: ${ctx}`);
  assert.equal(row.migration_name, name, ctx);
  if (checksum) assert.equal(row.checksum, checksum, `checksum: ${ctx}`);
  assert.match(row.checksum, /^[0-9a-f]{64}$/, `checksum format: ${ctx}`);
  assert.equal(row.logs, null, `logs must be NULL: ${ctx}`);
  assert.ok(row.finished_at instanceof Date, `finished_at must be set: ${ctx}`);
  assert.equal(row.rolled_back_at, null, `rolled_back_at must be NULL: ${ctx}`);
  assert.equal(row.applied_steps_count, 1, `applied_steps_count: ${ctx}`);
  assert.ok(row.started_at <= row.finished_at, `started_at <= finished_at: ${iso(row.started_at)} ${iso(row.finished_at)}`);
}

/** A row written by `resolve --applied` (Prisma §6). */
export function expectResolvedAppliedRow(row, { name, checksum }, label = '') {
  const ctx = `${label} ${name}: ${JSON.stringify(row)}`;
  assert.match(row.id, UUID_V4, `id must be a lower-case uuid v4: ${ctx}`);
  assert.equal(row.migration_name, name, ctx);
  if (checksum) assert.equal(row.checksum, checksum, `checksum: ${ctx}`);
  assert.equal(row.logs, '', `logs must be '' (empty string, not NULL): ${ctx}`);
  assert.ok(row.finished_at instanceof Date, `finished_at must be set: ${ctx}`);
  assert.equal(row.started_at.getTime(), row.finished_at.getTime(), `started_at = finished_at: ${ctx}`);
  assert.equal(row.rolled_back_at, null, `rolled_back_at must be NULL: ${ctx}`);
  assert.equal(row.applied_steps_count, 0, `applied_steps_count: ${ctx}`);
}

/** A row that blocks deploy (P3009): finished_at and rolled_back_at both NULL. */
export function expectFailedRow(row, { name }, label = '') {
  const ctx = `${label} ${name}: ${JSON.stringify(row)}`;
  assert.match(row.id, UUID_V4, ctx);
  assert.equal(row.migration_name, name, ctx);
  assert.equal(row.finished_at, null, `finished_at must be NULL: ${ctx}`);
  assert.equal(row.rolled_back_at, null, `rolled_back_at must be NULL: ${ctx}`);
  assert.equal(row.applied_steps_count, 0, `applied_steps_count: ${ctx}`);
  // logs: text format differs (adapter vs native vs ratchet); only require something.
  assert.ok(typeof row.logs === 'string' && row.logs.length > 0, `logs must describe the failure: ${ctx}`);
}

/** A failed row after `resolve --rolled-back`. */
export function expectRolledBackRow(row, { name }, label = '') {
  const ctx = `${label} ${name}: ${JSON.stringify(row)}`;
  assert.equal(row.migration_name, name, ctx);
  assert.equal(row.finished_at, null, `finished_at must stay NULL: ${ctx}`);
  assert.ok(row.rolled_back_at instanceof Date, `rolled_back_at must be set: ${ctx}`);
  assert.ok(row.rolled_back_at >= row.started_at, `rolled_back_at >= started_at: ${ctx}`);
  assert.equal(row.applied_steps_count, 0, `applied_steps_count: ${ctx}`);
}

export function rowsByName(rows) {
  const m = new Map();
  for (const r of rows) {
    if (!m.has(r.migration_name)) m.set(r.migration_name, []);
    m.get(r.migration_name).push(r);
  }
  return m;
}
