// Prisma 6.19 configuration: the WebAssembly schema engine through @prisma/adapter-pg (the native
// engine cannot be downloaded here), exactly as tests/interop/lib/prisma.mjs configures it;
// adapter.mjs is copied from tests/interop/lib at packaging time.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeAdapter } from './adapter.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));
export default {
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join(root, 'prisma', 'schema.prisma'),
  migrations: { path: path.join(root, 'prisma', 'migrations') },
  adapter: async () =>
    makeAdapter({ url: process.env.DATABASE_URL, schema: new URL(process.env.DATABASE_URL).searchParams.get('schema') }),
};
