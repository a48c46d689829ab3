// Runs Prisma 6.19 `migrate deploy` once through tests/interop's harness (read-only use of
// tests/interop/lib/prisma.mjs: WebAssembly schema engine + @prisma/adapter-pg, offline).
// Usage: node bench/prisma-deploy.mjs URL MIGRATIONS_DIR
// Prints {"ms": <spawn-to-exit of the Prisma CLI process>, "code": <exit code>} on stdout.
import { runPrisma } from '../tests/interop/lib/prisma.mjs';

const [url, dir] = process.argv.slice(2);
const r = await runPrisma(['migrate', 'deploy'], { url, migrationsDir: dir, timeoutMs: 600000 });
process.stdout.write(JSON.stringify({ ms: r.ms, code: r.code }) + '\n');
if (r.code !== 0) process.stderr.write(r.stdout + r.stderr);
process.exit(r.code === 0 ? 0 : 1);
