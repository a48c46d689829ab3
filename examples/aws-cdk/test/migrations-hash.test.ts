// The migrations hash (migrations-format.md, "Migrations hash") against a second, from-scratch computation:
// hand-normalised file contents hashed by the system's `sha256sum`, a hand-written sort order and a manifest
// hashed by `sha256sum` again; plus a literal known answer and, if RATCHET_BIN is set, ratchet's own `hash`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { copyMigrations, extractZip, stageLambdaAsset } from '../lib/lambda-asset';
import { computeMigrationsHash, EMPTY_MIGRATIONS_HASH, listMigrations } from '../lib/migrations-hash';
import { ratchetHash, sha256sumFile, simpleMigrations, tempDir, writeZip } from './helpers';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const FFFD = 'efbfbd';

interface FixtureMigration {
  /** Directory name (UTF-8). */
  name: string;
  /** Raw bytes of migration.sql; undefined = no migration.sql file. */
  raw?: Buffer;
  /** What WHATWG UTF-8 decoding + re-encoding must produce, written out by hand; defaults to raw. */
  normalized?: Buffer;
  /** migration.sql is a directory (so not readable as a file). */
  sqlIsDir?: boolean;
  /** Other files in the directory. */
  extra?: Record<string, string>;
}

// Listed in the order the definition demands (UTF-8 bytes), written by hand rather than computed.
const FIXTURE: FixtureMigration[] = [
  { name: '.hidden', raw: Buffer.from('-- hidden directories are migrations too\nSELECT 2;\n') },
  { name: '20240101000000_init', raw: Buffer.from('CREATE TABLE "Author" ("id" SERIAL PRIMARY KEY);\n') },
  {
    name: '20240102000000_bom',
    raw: Buffer.concat([hex('efbbbf'), Buffer.from('CREATE TABLE "Post" ("id" SERIAL PRIMARY KEY);\r\n')]),
    // the BOM is kept, CRLF is kept
  },
  {
    name: '20240103000000_invalid_utf8',
    // SELECT '<ff>', '<c3>(', '<e2 82>A', '<c0 af>', '<ed a0 80>', '<f0 9f 98>';\n<e2>
    raw: hex(
      "53454c4543542027 ff 272c2027 c3 28 272c2027 e282 41 272c2027 c0af 272c2027 eda080 272c2027 f09f98 273b0a e2",
    ),
    normalized: hex(
      `53454c4543542027 ${FFFD} 272c2027 ${FFFD} 28 272c2027 ${FFFD} 41 272c2027 ${FFFD}${FFFD} 272c2027 ` +
        `${FFFD}${FFFD}${FFFD} 272c2027 ${FFFD} 273b0a ${FFFD}`,
    ),
  },
  { name: '20240104000000_no_sql', extra: { 'README.md': 'no migration.sql here\n' } },
  { name: '20240105000000_café_ñ', raw: Buffer.from("INSERT INTO \"Author\" VALUES (1, 'Jürgen', '日本');\n") },
  { name: '20240106000000_sql_is_dir', sqlIsDir: true },
  { name: 'Z_upper', raw: Buffer.from('SELECT 3;\n'), extra: { 'notes.txt': 'not hashed\n' } },
  { name: 'z_\u{FF5E}', raw: Buffer.from('SELECT 4;\n') }, // UTF-8 ef bd 9e: sorts before the emoji in bytes...
  { name: 'z_\u{1F600}', raw: Buffer.from('SELECT 5;\n') }, // ...but after it in UTF-16 (d83d < ff5e)
];

// Computed once with Python (open(f,'rb').read().decode('utf-8','replace'), sorted(os.fsencode(n))) from the same
// fixture: a third implementation, frozen as a literal.
const FIXTURE_KNOWN_ANSWER = 'fbcc6b59b0adf9fef029470b1e5699fcc116cd351e0b905092449b976d9cae74';

function buildFixture(): string {
  const root = tempDir('hash-fixture');
  const dir = path.join(root, 'migrations');
  fs.mkdirSync(dir);
  for (const m of FIXTURE) {
    const d = path.join(dir, m.name);
    fs.mkdirSync(d);
    if (m.raw) {
      fs.writeFileSync(path.join(d, 'migration.sql'), m.raw);
    }
    if (m.sqlIsDir) {
      fs.mkdirSync(path.join(d, 'migration.sql'));
    }
    for (const [f, content] of Object.entries(m.extra ?? {})) {
      fs.writeFileSync(path.join(d, f), content);
    }
  }
  // Ignored by the definition: files at the top level and symlinks (to directories and to files).
  fs.writeFileSync(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  fs.writeFileSync(path.join(dir, 'stray.sql'), 'SELECT 6;\n');
  const outside = path.join(root, 'outside_migration');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'migration.sql'), 'SELECT 7;\n');
  fs.symlinkSync(outside, path.join(dir, '20240107000000_symlinked_dir'));
  fs.symlinkSync(path.join(dir, 'stray.sql'), path.join(dir, 'link_to_file'));
  return dir;
}

/** The hash by the second method: sha256sum over hand-normalised bytes, a hand-ordered manifest. */
function expectedHashBySha256sum(): string {
  const work = tempDir('hash-expected');
  const lines: Buffer[] = [];
  FIXTURE.forEach((m, i) => {
    let checksum = '';
    if (m.raw && !m.sqlIsDir) {
      const f = path.join(work, `content-${i}`);
      fs.writeFileSync(f, m.normalized ?? m.raw);
      checksum = sha256sumFile(f);
    }
    lines.push(Buffer.from(`${m.name}\n${checksum}\n`, 'utf8'));
  });
  const manifest = path.join(work, 'manifest');
  fs.writeFileSync(manifest, Buffer.concat(lines));
  return sha256sumFile(manifest);
}

test('the empty directory hashes to the documented constant', () => {
  const d = tempDir('empty');
  assert.equal(computeMigrationsHash(d), EMPTY_MIGRATIONS_HASH);
  assert.equal(EMPTY_MIGRATIONS_HASH, sha256sumFile('/dev/null'));
  const cli = ratchetHash(d);
  if (cli !== undefined) {
    assert.equal(cli, EMPTY_MIGRATIONS_HASH);
  }
});

test('discovery: real subdirectories only, hidden ones included, sorted by UTF-8 bytes', () => {
  const dir = buildFixture();
  const names = listMigrations(dir).map((m) => m.name.toString('utf8'));
  assert.deepEqual(
    names,
    FIXTURE.map((m) => m.name),
  );
  // The JavaScript default (UTF-16) order would differ, so the test really exercises byte order.
  assert.notDeepEqual([...names].sort(), names);
  const byName = new Map(listMigrations(dir).map((m) => [m.name.toString('utf8'), m.checksum]));
  assert.equal(byName.get('20240104000000_no_sql'), '');
  assert.equal(byName.get('20240106000000_sql_is_dir'), '');
});

test('hash equals a from-scratch computation with sha256sum (BOM, invalid UTF-8, non-ASCII names)', () => {
  const dir = buildFixture();
  const expected = expectedHashBySha256sum();
  assert.equal(computeMigrationsHash(dir), expected);
});

test('hash equals the known answer computed independently with Python', () => {
  assert.equal(computeMigrationsHash(buildFixture()), FIXTURE_KNOWN_ANSWER);
});

test('hash equals `$RATCHET_BIN hash --dir` (skipped unless RATCHET_BIN is set)', (t) => {
  if (!process.env.RATCHET_BIN) {
    t.skip('RATCHET_BIN not set');
    return;
  }
  for (const dir of [buildFixture(), simpleMigrations()]) {
    assert.equal(ratchetHash(dir), computeMigrationsHash(dir), `ratchet hash --dir ${dir}`);
  }
});

test('changing one migration changes the hash; touching or unrelated files do not', () => {
  const dir = simpleMigrations();
  const before = computeMigrationsHash(dir);
  assert.equal(computeMigrationsHash(dir), before);

  const sql = path.join(dir, '20240201000000_posts', 'migration.sql');
  const future = new Date(Date.now() + 3600_000);
  fs.utimesSync(sql, future, future);
  fs.writeFileSync(path.join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n# edited\n');
  fs.writeFileSync(path.join(dir, '20240201000000_posts', 'README.md'), 'docs are not hashed\n');
  assert.equal(computeMigrationsHash(dir), before, 'mtime, lock file and other files are not part of the hash');

  fs.appendFileSync(sql, '-- one more comment\n');
  const changed = computeMigrationsHash(dir);
  assert.notEqual(changed, before);

  fs.mkdirSync(path.join(dir, '20240301000000_empty'));
  assert.notEqual(computeMigrationsHash(dir), changed, 'a new migration directory, even without SQL, changes it');
});

test('a missing migrations directory is a clear error', () => {
  assert.throws(() => computeMigrationsHash('/nonexistent/ratchet/migrations'), /does not exist/);
});

test('copying migrations into the asset keeps the hash (symlinked dirs are left out)', () => {
  const dir = buildFixture();
  const copy = path.join(tempDir('copy'), 'migrations');
  copyMigrations(dir, copy);
  assert.equal(computeMigrationsHash(copy), computeMigrationsHash(dir));
  assert.ok(!fs.existsSync(path.join(copy, '20240107000000_symlinked_dir')));
  assert.ok(fs.existsSync(path.join(copy, 'migration_lock.toml')));
  assert.ok(fs.existsSync(path.join(copy, 'z_\u{1F600}', 'migration.sql')));
});

test('the zip reader restores modes, directories and symlinks (as copies)', () => {
  const work = tempDir('zip');
  const zip = path.join(work, 'ratchet-lambda.zip');
  const big = 'x'.repeat(100_000);
  writeZip(zip, [
    { name: 'bootstrap', data: '#!/bin/sh\nexit 0\n', mode: 0o100755, deflate: true },
    { name: 'lib/', mode: 0o040755 },
    { name: 'lib/libfoo.so.1.2', data: big, mode: 0o100644, deflate: true },
    { name: 'lib/libfoo.so.1', data: 'libfoo.so.1.2', mode: 0o120777 },
    { name: 'certs/rds.pem', data: 'PEM\n', mode: 0o100644 },
    { name: 'migrations/old/migration.sql', data: 'stale\n', mode: 0o100644 },
  ]);
  const out = path.join(work, 'out');
  fs.mkdirSync(out);
  extractZip(zip, out);
  assert.equal(fs.statSync(path.join(out, 'bootstrap')).mode & 0o777, 0o755);
  assert.equal(fs.readFileSync(path.join(out, 'lib', 'libfoo.so.1.2'), 'utf8'), big);
  assert.ok(!fs.lstatSync(path.join(out, 'lib', 'libfoo.so.1')).isSymbolicLink());
  assert.equal(fs.readFileSync(path.join(out, 'lib', 'libfoo.so.1'), 'utf8'), big);
  assert.equal(fs.readFileSync(path.join(out, 'certs', 'rds.pem'), 'utf8'), 'PEM\n');

  // Staging replaces any migrations/ in the zip with the given directory.
  const migrations = simpleMigrations();
  const staged = stageLambdaAsset(zip, migrations);
  assert.equal(fs.statSync(path.join(staged, 'bootstrap')).mode & 0o777, 0o755);
  assert.ok(!fs.existsSync(path.join(staged, 'migrations', 'old')));
  assert.equal(computeMigrationsHash(path.join(staged, 'migrations')), computeMigrationsHash(migrations));
});

test('the zip reader rejects entries escaping the root', () => {
  const work = tempDir('zip-evil');
  const zip = path.join(work, 'evil.zip');
  writeZip(zip, [{ name: '../evil', data: 'x', mode: 0o100644 }]);
  const out = path.join(work, 'out');
  fs.mkdirSync(out);
  assert.throws(() => extractZip(zip, out), /escapes/);
});

test('the real ratchet Lambda zip has an executable bootstrap (skipped unless RATCHET_LAMBDA_ZIP exists)', (t) => {
  const zip = process.env.RATCHET_LAMBDA_ZIP;
  if (!zip || !fs.existsSync(zip)) {
    t.skip('RATCHET_LAMBDA_ZIP not set or missing');
    return;
  }
  const staged = stageLambdaAsset(zip, simpleMigrations());
  const st = fs.statSync(path.join(staged, 'bootstrap'));
  assert.ok(st.isFile() && (st.mode & 0o111) !== 0, 'bootstrap is an executable file');
});

test('stageLambdaAsset explains a missing zip', () => {
  assert.throws(() => stageLambdaAsset('/nonexistent/ratchet-lambda.zip', simpleMigrations()), /ratchet_lambda_zip/);
});
