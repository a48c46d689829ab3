// Shared fixtures for the offline tests.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const tempDirs: string[] = [];
process.on('exit', () => {
  if (process.env.RATCHET_KEEP_TEST_DIRS) {
    return;
  }
  for (const d of tempDirs) {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

export function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `ratchet-cdk-${prefix}-`));
  tempDirs.push(d);
  return d;
}

/**
 * The Lambda code for tests: RATCHET_LAMBDA_ZIP if it is set and exists, else a stub directory whose root holds a
 * dummy executable `bootstrap`.
 */
export function lambdaCodeForTests(): { path: string; real: boolean } {
  const zip = process.env.RATCHET_LAMBDA_ZIP;
  if (zip && fs.existsSync(zip)) {
    return { path: zip, real: true };
  }
  return { path: stubLambdaCode(), real: false };
}

/** A directory whose root holds a dummy executable `bootstrap` (a script, so no architecture check applies). */
export function stubLambdaCode(): string {
  const d = tempDir('stub-asset');
  fs.writeFileSync(path.join(d, 'bootstrap'), '#!/bin/sh\necho "stub ratchet bootstrap" >&2\nexit 1\n', { mode: 0o755 });
  return d;
}

/** A small migrations directory like examples/blog/migrations. */
export function simpleMigrations(): string {
  const d = tempDir('migrations');
  fs.writeFileSync(path.join(d, 'migration_lock.toml'), 'provider = "postgresql"\n');
  fs.mkdirSync(path.join(d, '20240101000000_init'));
  fs.writeFileSync(
    path.join(d, '20240101000000_init', 'migration.sql'),
    'CREATE TABLE "Author" ("id" SERIAL PRIMARY KEY, "email" TEXT NOT NULL);\n',
  );
  fs.mkdirSync(path.join(d, '20240201000000_posts'));
  fs.writeFileSync(
    path.join(d, '20240201000000_posts', 'migration.sql'),
    'CREATE TABLE "Post" ("id" SERIAL PRIMARY KEY, "authorId" INTEGER NOT NULL REFERENCES "Author"("id"));\n',
  );
  return d;
}

/** Lower-case hex SHA-256 of a file, computed by the system's `sha256sum` (not by node:crypto). */
export function sha256sumFile(file: string): string {
  const out = execFileSync('sha256sum', ['-b', file], { encoding: 'utf8' });
  const hex = out.split(/\s/)[0];
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new Error(`unexpected sha256sum output: ${out}`);
  }
  return hex;
}

/** `$RATCHET_BIN hash --dir <dir>` (trimmed), or undefined when RATCHET_BIN is not set. */
export function ratchetHash(dir: string): string | undefined {
  const bin = process.env.RATCHET_BIN;
  if (!bin) {
    return undefined;
  }
  return execFileSync(bin, ['hash', '--dir', dir], { encoding: 'utf8', timeout: 30_000 }).trim();
}

// --- a minimal zip writer (test-only, independent of the reader in lib/lambda-asset.ts) ---

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) {
    c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipInput {
  name: string;
  data?: Buffer | string;
  /** Unix mode including the file type bits (0o100644, 0o100755, 0o120777 for a symlink, 0o040755 for a dir). */
  mode: number;
  deflate?: boolean;
}

export function writeZip(file: string, entries: ZipInput[]): void {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const raw = Buffer.from(e.data ?? '');
    const method = e.deflate ? 8 : 0;
    const body = e.deflate ? zlib.deflateRawSync(raw) : raw;
    const crc = crc32(raw);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, body);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by: unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((e.mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...locals, cd, eocd]));
}

/**
 * Throws if the template's resources depend on each other in a cycle (DependsOn, Ref, Fn::GetAtt, and `${X}` in
 * Fn::Sub), which CloudFormation rejects at deploy time and `Template.fromStack` does not notice.
 */
export function assertNoDependencyCycle(template: { [key: string]: any }): void {
  const ids = new Set(Object.keys(template.Resources));
  const edges = new Map<string, Set<string>>();
  const refs = (v: any, out: Set<string>): void => {
    if (Array.isArray(v)) {
      v.forEach((x) => refs(x, out));
    } else if (v && typeof v === 'object') {
      if (typeof v.Ref === 'string' && ids.has(v.Ref)) out.add(v.Ref);
      if (Array.isArray(v['Fn::GetAtt']) && ids.has(v['Fn::GetAtt'][0])) out.add(v['Fn::GetAtt'][0]);
      if (v['Fn::Sub'] !== undefined) {
        const text = Array.isArray(v['Fn::Sub']) ? v['Fn::Sub'][0] : v['Fn::Sub'];
        for (const m of String(text).matchAll(/\$\{([^.}]+)/g)) if (ids.has(m[1])) out.add(m[1]);
      }
      Object.values(v).forEach((x) => refs(x, out));
    }
  };
  for (const [id, r] of Object.entries(template.Resources as Record<string, any>)) {
    const out = new Set<string>([].concat(r.DependsOn ?? []));
    refs(r.Properties, out);
    edges.set(id, out);
  }
  const state = new Map<string, 1 | 2>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 2) return;
    if (state.get(id) === 1) throw new Error(`dependency cycle: ${[...trail.slice(trail.indexOf(id)), id].join(' -> ')}`);
    state.set(id, 1);
    for (const d of edges.get(id) ?? []) visit(d, [...trail, id]);
    state.set(id, 2);
  };
  for (const id of ids) visit(id, []);
}
