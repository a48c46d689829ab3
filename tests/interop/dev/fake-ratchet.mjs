#!/usr/bin/env node
// Development aid only: a stand-in for the ratchet CLI that delegates to real
// Prisma through the same harness. `RATCHET_BIN=tests/interop/dev/fake-ratchet.mjs`
// checks the Prisma side of the suite (and the test logic) before ratchet is
// built. Tests of ratchet-only behaviour (--lock-timeout, --json, transactional
// failures, `-- ratchet:no-transaction`) are expected to fail with it.
import { runPrisma } from '../lib/prisma.mjs';

const argv = process.argv.slice(2);
const cmd = argv.shift();
let url = process.env.DATABASE_URL;
let dir = 'prisma/migrations';
const rest = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--url') url = argv[++i];
  else if (a === '--dir') dir = argv[++i];
  else if (a === '--lock-timeout' || a === '--schema') i++;
  else if (a === '--json' || a === '--strict' || a === '-q' || a === '-v') {}
  else rest.push(a);
}
const args = cmd === 'resolve' ? ['migrate', 'resolve', ...rest] : ['migrate', cmd];
const r = await runPrisma(args, { url, migrationsDir: dir });
process.stdout.write(r.stdout);
process.stderr.write(r.stderr);
process.exitCode = r.code ?? 1;
