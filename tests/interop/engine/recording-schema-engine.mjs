#!/usr/bin/env node
// A stand-in for Prisma's native `schema-engine` binary (PRISMA_SCHEMA_ENGINE_BINARY) that
// records what the real Prisma CLI resolved -- the connection URL and the migrations directory --
// without touching any database. Every invocation appends one JSON line to $RECORD_FILE:
//   {argv, datasource}                       (the process start; --datasource as given)
//   {method, params}                         (each JSON-RPC request)
// `cli --datasource URL can-connect-to-database` exits 0. In JSON-RPC mode (stdin/stdout,
// one message per line) it answers listMigrationDirectories with the directory's entries and
// applyMigrations with nothing applied, so `prisma migrate deploy` ends normally; any other
// method gets the native error envelope.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const record = (obj) => {
  if (process.env.RECORD_FILE) fs.appendFileSync(process.env.RECORD_FILE, JSON.stringify(obj) + '\n');
};
const argv = process.argv.slice(2);
const dsAt = argv.indexOf('--datasource');
record({ argv: argv.filter((a, i) => i !== dsAt + 1 || dsAt < 0), datasource: dsAt >= 0 ? argv[dsAt + 1] : null });

if (argv.includes('--version') || argv.includes('-V')) {
  process.stdout.write('schema-engine-cli recording-stand-in\n');
  process.exit(0);
}
if (argv[0] === 'cli' || argv.includes('cli')) {
  process.exit(0); // can-connect-to-database, create-database: "yes"
}

const reply = (id, result) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id, result }) + '\n');
const fail = (id, message) =>
  process.stdout.write(JSON.stringify({
    jsonrpc: '2.0', id,
    error: { code: 4466, message: 'An error happened. Check the data field for details.',
      data: { is_panic: false, message, meta: null, error_code: null } },
  }) + '\n');

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (!line.trim()) return;
  const msg = JSON.parse(line);
  if (msg.method === undefined) return; // a response to one of our requests: none are sent
  record({ method: msg.method, params: msg.params ?? null });
  const p = Array.isArray(msg.params) ? msg.params[0] : msg.params ?? {};
  const dir = p.migrationsDirectoryPath ?? p.migrationsList?.baseDir;
  switch (msg.method) {
    case 'version':
    case 'getDatabaseVersion':
      return reply(msg.id, 'recording-schema-engine');
    case 'listMigrationDirectories': {
      const names = fs.existsSync(dir)
        ? fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()
        : [];
      return reply(msg.id, { migrations: names });
    }
    case 'applyMigrations':
      return reply(msg.id, { appliedMigrationNames: [] });
    default:
      return fail(msg.id, `recording-schema-engine: ${msg.method} is not served`);
  }
});
rl.on('close', () => process.exit(0));
