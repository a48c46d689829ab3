// Scratch databases for the interop tests, created and dropped through the
// `pg` package with the admin URL (RATCHET_TEST_ADMIN_URL).
import crypto from 'node:crypto';
import pg from 'pg';

export const LOCK_KEY = 72707369; // Prisma's advisory lock key

export function adminUrl() {
  const u = process.env.RATCHET_TEST_ADMIN_URL;
  if (!u) throw new Error('RATCHET_TEST_ADMIN_URL is not set (e.g. postgresql://postgres@127.0.0.1:PORT/postgres)');
  return u;
}

/** Swap the database name of a postgres URL; optionally add ?schema=. */
export function urlFor(dbName, schema = null, base = adminUrl()) {
  const u = new URL(base);
  u.pathname = '/' + encodeURIComponent(dbName);
  u.searchParams.delete('schema');
  if (schema) u.searchParams.set('schema', schema);
  return u.toString();
}

async function withAdmin(fn) {
  const c = new pg.Client({ connectionString: adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

let counter = 0;

/**
 * Create a scratch database with a unique name.
 * Returns { name, url, urlWithSchema(s), query(sql, params), connect(), drop() }.
 */
export async function createScratchDb(label = 'db') {
  const safe = label.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 20);
  const name = `ratchet_interop_${safe}_${process.pid}_${++counter}_${crypto.randomBytes(3).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = urlFor(name);
  const pool = new pg.Pool({ connectionString: url, max: 4, idleTimeoutMillis: 1000 });
  pool.on('error', () => {});
  const clients = [];
  return {
    name,
    url,
    urlWithSchema: (schema) => urlFor(name, schema),
    query: (sql, params) => pool.query(sql, params),
    /** A dedicated connection (e.g. to hold an advisory lock); closed by drop(). */
    async connect() {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => {});
      await c.connect();
      clients.push(c);
      return c;
    },
    async drop() {
      for (const c of clients) await c.end().catch(() => {});
      await pool.end().catch(() => {});
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** Register a scratch DB with node:test's lifecycle: dropped after the test. */
export async function scratchDb(t, label) {
  const db = await createScratchDb(label ?? t.name);
  t.after(() => db.drop());
  return db;
}

/** All rows of _prisma_migrations (in `schema` if given), ordered like Prisma reads them. */
export async function migrationRows(db, schema = null) {
  const table = schema ? `"${schema}"."_prisma_migrations"` : '"_prisma_migrations"';
  const r = await db.query(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
       FROM ${table} ORDER BY started_at ASC, migration_name ASC`,
  );
  return r.rows;
}

export async function tableExists(db, name, schema = 'public') {
  const r = await db.query(
    `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r','p')`,
    [schema, name],
  );
  return r.rowCount > 0;
}

/** Column definitions of _prisma_migrations, for comparing DDL between tools. */
export async function migrationsTableShape(db, schema = 'public') {
  const cols = await db.query(
    `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default, ordinal_position
       FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = '_prisma_migrations'
      ORDER BY column_name`,
    [schema],
  );
  const pk = await db.query(
    `SELECT a.attname FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey)
      WHERE n.nspname = $1 AND c.relname = '_prisma_migrations' AND i.indisprimary`,
    [schema],
  );
  return { columns: cols.rows, primaryKey: pk.rows.map((r) => r.attname).sort() };
}

/** Number of sessions holding (granted=true) or waiting for (false) advisory lock `key` (default: Prisma's) in `db`. */
export async function advisoryLockSessions(db, granted, key = LOCK_KEY) {
  const r = await db.query(
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND d.datname = current_database()
        AND l.classid = 0 AND l.objid = $1 AND l.objsubid = 1 AND l.granted = $2`,
    [key, granted],
  );
  return r.rows[0].n;
}

export async function waitFor(fn, { timeoutMs = 15000, intervalMs = 50, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Sessions (other than the test's own) waiting for Prisma's lock in `db`, whichever
 * way they wait: blocked in pg_advisory_lock() (an ungranted pg_locks entry, as
 * Prisma does) or polling with pg_try_advisory_lock() (their last statement
 * mentions the key, and they do not hold it).
 */
export async function lockWaiters(db) {
  const r = await db.query(
    `WITH holders AS (
       SELECT l.pid FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1::bigint AND l.objsubid = 1
          AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()))
     SELECT count(DISTINCT a.pid)::int AS n
       FROM pg_stat_activity a
       LEFT JOIN pg_locks w ON w.pid = a.pid AND w.locktype = 'advisory' AND NOT w.granted
                           AND w.classid = 0 AND w.objid = $1::bigint AND w.objsubid = 1
      WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
        AND a.pid NOT IN (SELECT pid FROM holders)
        AND (w.pid IS NOT NULL OR position($2 in a.query) > 0)`,
    [LOCK_KEY, String(LOCK_KEY)],
  );
  return r.rows[0].n;
}
