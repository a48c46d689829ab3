// The migrations hash, version 1, exactly as defined in migrations-format.md ("Migrations hash") and as ratchet's
// bootstrap recomputes it from the migrations bundled in its zip:
//
//   1. every real subdirectory of the migrations directory, hidden ones included; symlinks and files are ignored;
//   2. per directory, the lower-case hex SHA-256 of migration.sql decoded as UTF-8 (invalid sequences -> U+FFFD,
//      WHATWG decoding, a BOM kept), or the empty string if there is no readable migration.sql;
//   3. names sorted by their UTF-8 bytes;
//   4. SHA-256 (lower-case hex) of the concatenation of name + "\n" + checksum + "\n".
//
// Names are handled as raw bytes (Buffers) throughout, so sorting is by bytes and nothing is re-encoded.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The hash of an empty migrations directory (SHA-256 of the empty string). */
export const EMPTY_MIGRATIONS_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface MigrationEntry {
  /** Directory name as raw bytes (normally UTF-8). */
  readonly name: Buffer;
  /** Lower-case hex SHA-256 of the decoded migration.sql, or '' if it has none. */
  readonly checksum: string;
}

function joinBytes(dir: Buffer, name: Buffer): Buffer {
  return Buffer.concat([dir, Buffer.from(path.sep), name]);
}

/** Checksum of one migration directory's migration.sql ('' if missing or unreadable). */
export function migrationChecksum(migrationDir: Buffer | string): string {
  const dir = typeof migrationDir === 'string' ? Buffer.from(migrationDir) : migrationDir;
  let text: string;
  try {
    // Decoding as 'utf8' is WHATWG UTF-8 decoding with replacement; Node keeps a leading BOM (U+FEFF).
    text = fs.readFileSync(joinBytes(dir, Buffer.from('migration.sql'))).toString('utf8');
  } catch {
    return '';
  }
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The migrations as discovered, sorted by the bytes of their names. */
export function listMigrations(migrationsDir: string): MigrationEntry[] {
  const dir = Buffer.from(path.resolve(migrationsDir));
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    throw new Error(`migrations directory ${migrationsDir} does not exist or is not readable: ${(e as Error).message}`);
  }
  if (!st.isDirectory()) {
    throw new Error(`migrations directory ${migrationsDir} is not a directory`);
  }
  const entries: MigrationEntry[] = [];
  for (const name of fs.readdirSync(dir, { encoding: 'buffer' })) {
    const full = joinBytes(dir, name);
    // lstat: a symlink to a directory is not a real subdirectory and is ignored.
    if (!fs.lstatSync(full).isDirectory()) {
      continue;
    }
    entries.push({ name, checksum: migrationChecksum(full) });
  }
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  return entries;
}

/** The migrations hash (version 1) of a migrations directory. */
export function computeMigrationsHash(migrationsDir: string): string {
  const h = crypto.createHash('sha256');
  for (const m of listMigrations(migrationsDir)) {
    h.update(m.name);
    h.update('\n');
    h.update(m.checksum, 'utf8');
    h.update('\n');
  }
  return h.digest('hex');
}
