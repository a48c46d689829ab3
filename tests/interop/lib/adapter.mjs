// Driver adapter factory used by the generated prisma.config.mjs.
//
// Works around prisma/orm#27403: @prisma/adapter-pg rejects PostgreSQL's `name`
// type (OID 19) -- which the schema engine's catalogue queries return -- with
// "Column type 'name' could not be deserialized from the database". We hand
// PrismaPg a pg.Pool subclass whose clients report OID 19 (`name`) and OID 18
// (`"char"`) as `text` (25). Both call styles (promise and callback) keep working,
// because pg-pool's own query() uses connect(cb) + client.query(..., cb).
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';

const REMAP = new Map([[19, 25], [18, 25]]);

function fixResult(res) {
  const list = Array.isArray(res) ? res : [res];
  for (const r of list) {
    if (r && Array.isArray(r.fields)) {
      for (const f of r.fields) {
        if (REMAP.has(f.dataTypeID)) f.dataTypeID = REMAP.get(f.dataTypeID);
      }
    }
  }
  return res;
}

// The row parsers are chosen from the field descriptions when RowDescription
// arrives, so remapping afterwards is enough for text values (name/"char" are
// plain strings on the wire anyway).
function patchClient(client) {
  if (client.__ratchetInteropPatched) return client;
  client.__ratchetInteropPatched = true;
  const origQuery = client.query;
  client.query = function patchedQuery(...args) {
    const last = args.length - 1;
    if (last >= 0 && typeof args[last] === 'function') {
      const cb = args[last];
      args[last] = (err, res) => cb(err, err ? res : fixResult(res));
      return origQuery.apply(this, args);
    }
    if (args[0] && typeof args[0] === 'object' && typeof args[0].callback === 'function') {
      const cb = args[0].callback;
      args[0] = { ...args[0], callback: (err, res) => cb(err, err ? res : fixResult(res)) };
      return origQuery.apply(this, args);
    }
    const ret = origQuery.apply(this, args);
    if (ret && typeof ret.then === 'function') return ret.then(fixResult);
    return ret; // Submittable etc.
  };
  return client;
}

export class NameAsTextPool extends pg.Pool {
  connect(cb) {
    if (typeof cb === 'function') {
      return super.connect((err, client, done) => {
        if (client) patchClient(client);
        cb(err, client, done);
      });
    }
    return super.connect().then(patchClient);
  }
}

/**
 * @param {{url: string, schema?: string|null}} opts
 *   schema: emulate native `?schema=X`: set search_path to "X" for every
 *   connection (the adapter itself ignores ?schema= and never sets it).
 */
export function makeAdapter({ url, schema }) {
  const u = new URL(url);
  u.searchParams.delete('schema');
  const poolConfig = {
    connectionString: u.toString(),
    // allowExitOnIdle unrefs idle clients so the CLI exits (and its session, with
    // the advisory lock, ends) as soon as the work is done; the idle timeout is
    // a backstop and long enough not to drop a lock-holding connection mid-run.
    idleTimeoutMillis: 2000,
    allowExitOnIdle: true,
  };
  if (schema) poolConfig.options = `-c search_path="${schema}"`;
  const pool = new NameAsTextPool(poolConfig);
  return new PrismaPg(pool, schema ? { schema } : undefined);
}
