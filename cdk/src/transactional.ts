// Which migrations cannot run inside a transaction (migrations-format.md, "Migrations that cannot run in a
// transaction"). Used at synth time to refuse them behind an RDS Proxy, where ratchet's statement-by-statement
// autocommit mode is not pooler-safe. Strings, quoted identifiers, dollar quotes and comments are blanked out first, so
// a keyword inside them never counts; the directive `-- ratchet:no-transaction` counts wherever it is on its own line.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The SQL with string literals, quoted identifiers, dollar-quoted bodies and comments replaced by spaces. */
export function stripSqlNoise(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end;
      out += ' ';
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else {
          i++;
        }
      }
      out += ' ';
    } else if (c === "'" || c === '"') {
      // E'...' strings allow backslash escapes; '' and "" are escaped quotes in both.
      const escapes = c === "'" && i > 0 && /[eE]/.test(sql[i - 1]) && !/[\w$]/.test(sql[i - 2] ?? ' ');
      i++;
      while (i < n) {
        if (escapes && sql[i] === '\\') {
          i += 2;
        } else if (sql[i] === c && sql[i + 1] === c) {
          i += 2;
        } else if (sql[i] === c) {
          i++;
          break;
        } else {
          i++;
        }
      }
      out += ' ';
    } else if (c === '$' && !/[\w$]/.test(sql[i - 1] ?? ' ')) {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (m) {
        const end = sql.indexOf(m[0], i + m[0].length);
        i = end < 0 ? n : end + m[0].length;
        out += ' ';
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const NON_TRANSACTIONAL: RegExp[] = [
  /\b(CREATE|DROP)\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY\b/i,
  /\bREINDEX\b[^;]*\bCONCURRENTLY\b/i,
  /\bREINDEX\s+(\([^)]*\)\s*)?(DATABASE|SYSTEM)\b/i,
  /\bDETACH\s+PARTITION\b[^;]*\bCONCURRENTLY\b/i,
  /(^|;)\s*VACUUM\b/i,
  /(^|;)\s*(CREATE|DROP)\s+(DATABASE|TABLESPACE|SUBSCRIPTION)\b/i,
  /(^|;)\s*ALTER\s+SYSTEM\b/i,
  /(^|;)\s*(BEGIN|START\s+TRANSACTION|COMMIT|END|ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE\s+TRANSACTION)\b/i,
];

/** True if ratchet would run this script outside a transaction (directive or statement). */
export function isNonTransactional(sql: string): boolean {
  if (/^\s*--\s*ratchet:no-transaction\s*$/im.test(sql)) {
    return true;
  }
  // BEGIN/END inside DO and function bodies were blanked with the dollar quotes; SQL-standard `BEGIN ATOMIC ... END`
  // bodies are blanked here (a CASE ... END inside one ends it early: conservative, it can only add a false positive).
  const code = stripSqlNoise(sql).replace(/\bBEGIN\s+ATOMIC\b[\s\S]*?\bEND\b/gi, ' ');
  return NON_TRANSACTIONAL.some((re) => re.test(code));
}

/** Names of the migrations in `migrationsDir` that would run outside a transaction. */
export function nonTransactionalMigrations(migrationsDir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(migrationsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) {
      continue;
    }
    let sql: string;
    try {
      sql = fs.readFileSync(path.join(migrationsDir, entry.name, 'migration.sql'), 'utf8');
    } catch {
      continue;
    }
    if (isNonTransactional(sql)) {
      found.push(entry.name);
    }
  }
  return found.sort();
}
