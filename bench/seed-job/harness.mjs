// bench/seed-job harness: one local Lambda Runtime API emulator and one local CloudFormation
// ResponseURL server (both on 127.0.0.1), shared by both contestants. Every measurement is a cold
// start: a new function process, one CloudFormation event, the function PUTs its answer to the
// ResponseURL, then it is killed once it asks for the next event.
//
// Usage: node harness.mjs --ratchet DIR --seed DIR --admin-url URL --out results/seed-job.json
//        [--rounds N] [--logs DIR]
// Timings (performance.now(), ms): cold = spawn -> first GET /next; response = event handed out
// -> ResponseURL PUT received; total = spawn -> PUT. Peak RSS: VmHWM of the function process
// plus, for every descendant seen while it ran (sampled from /proc every 10 ms), its last VmHWM.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
for (const k of ['ratchet', 'seed', 'admin-url', 'out']) {
  if (!args[k]) throw new Error(`harness: --${k} is required`);
}
const rounds = Number(args.rounds ?? 5);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`harness: --rounds must be a positive integer, got ${args.rounds}`);
const logDir = args.logs ?? path.join(path.dirname(args.out), 'work', 'logs');
fs.mkdirSync(logDir, { recursive: true });

const LOAD_AT_START = fs.readFileSync('/proc/loadavg', 'utf8').trim();
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:SeedJobBench';
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/seed-job/00000000-0000-0000-0000-000000000000';

// ---------------------------------------------------------------------------------------------
// Runtime API emulator and ResponseURL server: one HTTP server each, state per invocation.
let current = null; // { onNext, pendingEvent, requestId, t: {...}, runtimeResult, onPut, onRuntimeResult }

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

const runtimeApi = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  const p = url.pathname;
  if (req.method === 'GET' && p === '/2018-06-01/runtime/invocation/next') {
    const inv = current;
    if (!inv) {
      res.writeHead(500).end();
      return;
    }
    inv.nextCount += 1;
    if (inv.nextCount === 1) {
      inv.t.firstNext = performance.now();
      inv.t.event = performance.now();
      const body = JSON.stringify(inv.event);
      res.writeHead(200, {
        'content-type': 'application/json',
        'lambda-runtime-aws-request-id': inv.requestId,
        'lambda-runtime-deadline-ms': String(Date.now() + 900000),
        'lambda-runtime-invoked-function-arn': FUNCTION_ARN,
        'lambda-runtime-trace-id': `Root=1-00000000-${inv.requestId.slice(0, 24)};Sampled=0`,
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    } else {
      // The function is idle, waiting for the next event: the measurement is over. Keep the
      // long poll open (Lambda would freeze the process here); the harness kills it.
      inv.t.idle = performance.now();
      inv.onIdle();
    }
    return;
  }
  const m = p.match(/^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/);
  if (req.method === 'POST' && m) {
    const body = await readBody(req);
    if (current && m[1] === current.requestId) current.runtimeResult = { kind: m[2], body };
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
    return;
  }
  if (req.method === 'POST' && p === '/2018-06-01/runtime/init/error') {
    const body = await readBody(req);
    if (current) current.runtimeResult = { kind: 'init/error', body };
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"OK"}');
    return;
  }
  res.writeHead(404).end();
});

const responseServer = http.createServer(async (req, res) => {
  const body = await readBody(req);
  const inv = current;
  if (req.method === 'PUT' && inv && req.url.startsWith(`/cfn/${inv.requestId}?`) && !inv.t.put) {
    inv.t.put = performance.now();
    inv.put = { contentType: req.headers['content-type'] ?? null, bytes: Buffer.byteLength(body), body };
  }
  res.writeHead(200).end();
});

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}
const runtimePort = await listen(runtimeApi);
const responsePort = await listen(responseServer);

// ---------------------------------------------------------------------------------------------
// Process tree memory: VmHWM of the function process and of every descendant seen.
function readStatus(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = s.match(/^VmHWM:\s+(\d+) kB/m);
    const ppid = s.match(/^PPid:\s+(\d+)/m);
    return { hwmKb: hwm ? Number(hwm[1]) : 0, ppid: ppid ? Number(ppid[1]) : 0 };
  } catch {
    return null;
  }
}

// Descendants are found by their PPid among the processes created after the function (pids are
// allocated upwards; a wrap of pid_max during one invocation would hide a child), so a sample
// reads a handful of status files, not the whole machine's: the harness must stay cheap, it
// shares the CPU with both contestants and answers their HTTP requests.
function sampleTree(rootPid, seen) {
  const known = new Set([rootPid, ...seen.keys()]);
  let pids;
  try {
    pids = fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .filter((pid) => pid > rootPid)
      .sort((a, b) => a - b);
  } catch {
    return;
  }
  // Two passes pick up grandchildren whose parent was discovered in the first.
  for (let pass = 0; pass < 2; pass++) {
    for (const pid of pids) {
      const st = known.has(pid) && pid !== rootPid ? readStatus(pid) : null;
      if (st) {
        seen.set(pid, Math.max(seen.get(pid) ?? 0, st.hwmKb));
        continue;
      }
      if (known.has(pid)) continue;
      const s = readStatus(pid);
      if (s && known.has(s.ppid)) {
        known.add(pid);
        seen.set(pid, s.hwmKb);
      }
    }
  }
}

// CPU time of the function and of its waited-for children (the seed's handler waits for the
// Prisma CLI before it answers): on-CPU ns from /proc/<pid>/schedstat plus cutime + cstime (clock
// ticks of 10 ms) from /proc/<pid>/stat. Read while the function waits for its next event. Less
// sensitive to the machine's load than wall-clock time.
function readCpuMs(pid) {
  try {
    const onCpuNs = Number(fs.readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
    const childTicks = Number(f[13]) + Number(f[14]); // fields 16 cutime, 17 cstime
    return onCpuNs / 1e6 + childTicks * 10;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// One cold invocation.
const admin = new pg.Client({ connectionString: args['admin-url'] });
await admin.connect();

function contestantSpawn(name, dir, databaseUrl) {
  const env = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    TZ: ':UTC',
    AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${runtimePort}`,
    LAMBDA_TASK_ROOT: dir,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'SeedJobBench',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    DATABASE_URL: databaseUrl,
  };
  if (name === 'ratchet') {
    Object.assign(env, { _HANDLER: 'bootstrap', RATCHET_RESPONSE_MODE: 'direct' });
    if (args['ratchet-chroot'] === '1') {
      // An empty root: nothing but the unzipped package (no /etc, no /usr, no shell). chroot(8)
      // execs the bootstrap in the same process, so the pid and its memory are the function's.
      env.LAMBDA_TASK_ROOT = '/';
      return spawn('/usr/sbin/chroot', [dir, '/bootstrap'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    }
    return spawn(path.join(dir, 'bootstrap'), [], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  Object.assign(env, {
    _HANDLER: 'handler.handler',
    // The Prisma CLI with the WebAssembly engine, as tests/interop/lib/prisma.mjs runs it.
    PRISMA_QUERY_ENGINE_LIBRARY: path.join(dir, 'engines', 'libquery_engine-dummy.so.node'),
    PRISMA_SCHEMA_ENGINE_BINARY: path.join(dir, 'engines', 'schema-engine-dummy'),
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    PRISMA_DISABLE_WARNINGS: '1',
    CHECKPOINT_DISABLE: '1',
    NO_COLOR: '1',
    CI: '1',
    HOME: '/tmp',
    NODE_OPTIONS: `--require ${path.join(dir, 'preload-unref-timers.cjs')}`,
  });
  return spawn(process.execPath, [path.join(dir, 'runtime.mjs')], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

let invocationNo = 0;
async function invoke(name, dir, databaseUrl, requestType, physicalId) {
  invocationNo += 1;
  const requestId = `${String(invocationNo).padStart(4, '0')}-${name}-${requestType}`.padEnd(36, '0');
  const props = { ServiceToken: FUNCTION_ARN, SchemaVersion: 'blog-3' };
  const event = {
    RequestType: requestType,
    ServiceToken: FUNCTION_ARN,
    ResponseURL: `http://127.0.0.1:${responsePort}/cfn/${requestId}?X-Amz-Signature=bench`,
    StackId: STACK_ID,
    RequestId: requestId,
    LogicalResourceId: 'DatabaseMigration',
    ResourceType: 'Custom::DatabaseMigration',
    ResourceProperties: props,
    ...(requestType === 'Update' ? { PhysicalResourceId: physicalId, OldResourceProperties: props } : {}),
  };
  const log = fs.createWriteStream(path.join(logDir, `${requestId}.log`));
  let idleResolve;
  const idle = new Promise((r) => (idleResolve = r));
  const inv = { requestId, event, nextCount: 0, t: {}, runtimeResult: null, put: null, onIdle: () => idleResolve() };
  current = inv;

  inv.t.spawn = performance.now();
  const child = contestantSpawn(name, dir, databaseUrl);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const seen = new Map();
  let rootHwm = 0;
  const sampler = setInterval(() => {
    sampleTree(child.pid, seen);
    const st = readStatus(child.pid);
    if (st) rootHwm = Math.max(rootHwm, st.hwmKb);
  }, 10);
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error(`${name} ${requestType}: no idle GET /next within 120 s (see ${log.path})`)), 120000).unref(),
  );
  const early = exited.then((e) => {
    throw new Error(`${name} ${requestType}: function exited (${e.code ?? e.signal}) before asking for the next event (see ${log.path})`);
  });
  try {
    await Promise.race([idle, timeout, early]);
  } finally {
    clearInterval(sampler);
    inv.cpuMs = readCpuMs(child.pid);
    const st = readStatus(child.pid);
    if (st) rootHwm = Math.max(rootHwm, st.hwmKb);
    sampleTree(child.pid, seen);
    child.kill('SIGKILL');
    for (const pid of seen.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    early.catch(() => {});
    await exited;
    log.end();
  }
  if (!inv.put) throw new Error(`${name} ${requestType}: no ResponseURL PUT (see ${log.path})`);
  const answer = JSON.parse(inv.put.body);
  if (answer.Status !== 'SUCCESS') throw new Error(`${name} ${requestType}: answered ${answer.Status}: ${answer.Reason}`);
  if (answer.RequestId !== requestId || answer.StackId !== STACK_ID) throw new Error(`${name}: answer has the wrong identifiers`);
  const childrenKb = [...seen.values()].reduce((a, b) => a + b, 0);
  return {
    request_type: requestType,
    cold_start_ms: inv.t.firstNext - inv.t.spawn,
    event_to_response_ms: inv.t.put - inv.t.event,
    total_ms: inv.t.put - inv.t.spawn,
    cpu_ms: inv.cpuMs,
    peak_rss_kb: rootHwm + childrenKb,
    peak_rss_function_process_kb: rootHwm,
    peak_rss_children_kb: childrenKb,
    child_processes: seen.size,
    response_content_type: inv.put.contentType,
    response_bytes: inv.put.bytes,
    physical_resource_id: answer.PhysicalResourceId,
    runtime_result: inv.runtimeResult?.kind ?? null,
  };
}

async function checkApplied(db) {
  const c = new pg.Client({ connectionString: dbUrl(db) });
  await c.connect();
  try {
    const r = await c.query(
      'select count(*)::int as n from _prisma_migrations where finished_at is not null and rolled_back_at is null',
    );
    return r.rows[0].n;
  } finally {
    await c.end();
  }
}

function dbUrl(db) {
  const u = new URL(args['admin-url']);
  u.pathname = `/${db}`;
  return u.toString();
}

const contestants = [
  ['ratchet', path.resolve(args.ratchet)],
  ['seed', path.resolve(args.seed)],
];
const runs = { ratchet: [], seed: [] };
for (let round = 1; round <= rounds; round++) {
  // Alternate the order so neither contestant always runs on the warmer machine.
  const order = round % 2 === 1 ? contestants : [...contestants].reverse();
  for (const [name, dir] of order) {
    const db = `seedjob_${name}_${round}`;
    await admin.query(`drop database if exists ${db}`);
    await admin.query(`create database ${db}`);
    try {
      // No TLS for either: the seed's driver adapter (node-postgres) connects in plaintext by
      // default, ratchet would negotiate TLS with this server (sslmode=prefer on loopback).
      const url = `${dbUrl(db)}?schema=public&sslmode=disable`;
      const create = await invoke(name, dir, url, 'Create');
      const appliedAfterCreate = await checkApplied(db);
      if (appliedAfterCreate !== 3) throw new Error(`${name}: ${appliedAfterCreate} migrations applied after Create, expected 3`);
      const update = await invoke(name, dir, url, 'Update', create.physical_resource_id);
      const appliedAfterUpdate = await checkApplied(db);
      if (appliedAfterUpdate !== 3) throw new Error(`${name}: ${appliedAfterUpdate} migrations after the no-op Update, expected 3`);
      runs[name].push({ round, create, update });
      console.log(
        `round ${round} ${name.padEnd(7)} create: cold ${create.cold_start_ms.toFixed(1)} ms, response ${create.event_to_response_ms.toFixed(1)} ms, total ${create.total_ms.toFixed(1)} ms, peak ${(create.peak_rss_kb / 1024).toFixed(1)} MiB | ` +
          `update: total ${update.total_ms.toFixed(1)} ms, peak ${(update.peak_rss_kb / 1024).toFixed(1)} MiB`,
      );
    } finally {
      await admin.query(`drop database if exists ${db}`);
    }
  }
}
await admin.end();
runtimeApi.close();
responseServer.close();

// ---------------------------------------------------------------------------------------------
// Summary: medians per contestant and event, ratios, package sizes and cost.
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const metrics = ['cold_start_ms', 'event_to_response_ms', 'total_ms', 'cpu_ms', 'peak_rss_kb'];
const summary = {};
for (const name of Object.keys(runs)) {
  summary[name] = {};
  for (const kind of ['create', 'update']) {
    summary[name][kind] = {};
    for (const m of metrics) {
      const xs = runs[name].map((r) => r[kind][m]);
      summary[name][kind][m] = { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
    }
  }
}
function treeBytes(dir) {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) n += treeBytes(p);
    else n += fs.lstatSync(p).size;
  }
  return n;
}
const packages = {};
for (const [name, dir] of contestants) {
  const zip = args[`${name}-zip`];
  packages[name] = { unzipped_bytes: treeBytes(dir), zipped_bytes: zip ? fs.statSync(zip).size : null };
}

// AWS Lambda on-demand prices, US East (N. Virginia), first pricing tier, as published on
// https://aws.amazon.com/lambda/pricing/ (the figures the author knows, unchanged since arm64
// pricing was introduced in 2021; not re-checked online on the day of the run: no network).
const PRICES = {
  source: 'https://aws.amazon.com/lambda/pricing/ (US East (N. Virginia), first tier)',
  as_published_on:
    process.env.SEED_JOB_PRICES_DATE ||
    'the pricing page as of 2025 (values known to the author; the page cannot be fetched from this machine)',
  x86_64_usd_per_gb_second: 0.0000166667,
  arm64_usd_per_gb_second: 0.0000133334,
  usd_per_request: 0.2 / 1e6,
};
const HEADROOM = 1.25;
function memoryNeededMb(peakKb) {
  return Math.max(128, Math.ceil(((peakKb / 1024) * HEADROOM) / 64) * 64);
}
const cost = {};
for (const name of Object.keys(runs)) {
  const peakKb = Math.max(summary[name].create.peak_rss_kb.max, summary[name].update.peak_rss_kb.max);
  const settings = { needed: memoryNeededMb(peakKb) };
  if (name === 'seed') settings.seed_configured = 1024; // memorySize: 1024 in the seed's construct
  cost[name] = {};
  for (const [label, mb] of Object.entries(settings)) {
    cost[name][label] = { memory_mb: mb };
    for (const kind of ['create', 'update']) {
      const billedS = Math.ceil(summary[name][kind].total_ms.median) / 1000; // billed per 1 ms, INIT included
      const gbS = billedS * (mb / 1024);
      cost[name][label][kind] = {
        gb_seconds_per_1000: gbS * 1000,
        x86_64_usd_per_1000: gbS * 1000 * PRICES.x86_64_usd_per_gb_second + 1000 * PRICES.usd_per_request,
        arm64_usd_per_1000: gbS * 1000 * PRICES.arm64_usd_per_gb_second + 1000 * PRICES.usd_per_request,
      };
    }
  }
}
const ratio = {};
for (const kind of ['create', 'update']) {
  ratio[kind] = {
    total_seed_over_ratchet: summary.seed[kind].total_ms.median / summary.ratchet[kind].total_ms.median,
    cold_start_seed_over_ratchet: summary.seed[kind].cold_start_ms.median / summary.ratchet[kind].cold_start_ms.median,
    response_seed_over_ratchet:
      summary.seed[kind].event_to_response_ms.median / summary.ratchet[kind].event_to_response_ms.median,
    cpu_seed_over_ratchet: summary.seed[kind].cpu_ms.median / summary.ratchet[kind].cpu_ms.median,
    peak_rss_ratchet_over_seed: summary.ratchet[kind].peak_rss_kb.median / summary.seed[kind].peak_rss_kb.median,
  };
}
const goals = {
  faster_20x: ratio.create.total_seed_over_ratchet >= 20 && ratio.update.total_seed_over_ratchet >= 20,
  memory_one_fifth: ratio.create.peak_rss_ratchet_over_seed <= 0.2 && ratio.update.peak_rss_ratchet_over_seed <= 0.2,
};
let load = null;
try {
  load = fs.readFileSync('/proc/loadavg', 'utf8').trim();
} catch {}
const result = {
  kind: 'seed-job',
  taken_at: new Date().toISOString(),
  rounds,
  node: process.version,
  machine: {
    cpus: (await import('node:os')).cpus().length,
    loadavg_at_start: LOAD_AT_START,
    loadavg_at_end: load,
    note: 'loaded shared 2-core machine',
  },
  ratchet_package: args['ratchet-zip-source'] ?? args['ratchet-zip'] ?? null,
  ratchet_root: args['ratchet-chroot'] === '1' ? 'empty root (chroot into the unzipped package)' : 'plain directory',
  summary,
  ratio,
  goals,
  packages,
  prices: PRICES,
  memory_rule: `smallest multiple of 64 MB >= ${HEADROOM} x peak RSS, at least 128 MB`,
  cost,
  runs,
};
fs.writeFileSync(args.out, JSON.stringify(result, null, 2) + '\n');

// A Markdown table for the README.
const f1 = (x) => x.toFixed(1);
const mib = (kb) => (kb / 1024).toFixed(1);
const mb = (b) => (b / 1e6).toFixed(1);
const lines = [];
lines.push(
  `Seed job, ${rounds} rounds, medians (min-max); ${result.taken_at}; load average at start ${LOAD_AT_START}, at end ${load ?? 'n/a'}; ratchet: ${result.ratchet_package}, run from: ${result.ratchet_root}.`,
  '',
);
lines.push('| | event | cold start -> first /next (ms) | event -> response (ms) | total (ms) | CPU (ms) | peak RSS (MiB) |');
lines.push('|---|---|---:|---:|---:|---:|---:|');
for (const name of ['ratchet', 'seed']) {
  for (const kind of ['create', 'update']) {
    const s = summary[name][kind];
    const cell = (m, fmt) => `${fmt(s[m].median)} (${fmt(s[m].min)}-${fmt(s[m].max)})`;
    lines.push(
      `| ${name} | ${kind === 'create' ? 'Create (3 migrations)' : 'Update (no-op)'} | ${cell('cold_start_ms', f1)} | ${cell('event_to_response_ms', f1)} | ${cell('total_ms', f1)} | ${cell('cpu_ms', f1)} | ${cell('peak_rss_kb', mib)} |`,
    );
  }
}
lines.push('');
lines.push(
  `Seed / ratchet, total: Create ${f1(ratio.create.total_seed_over_ratchet)}x, Update ${f1(ratio.update.total_seed_over_ratchet)}x (goal >= 20x: ${goals.faster_20x ? 'met' : 'not met'}); ` +
    `CPU: Create ${f1(ratio.create.cpu_seed_over_ratchet)}x, Update ${f1(ratio.update.cpu_seed_over_ratchet)}x; ` +
    `ratchet / seed, peak RSS: Create ${ratio.create.peak_rss_ratchet_over_seed.toFixed(3)}, Update ${ratio.update.peak_rss_ratchet_over_seed.toFixed(3)} (goal <= 0.2: ${goals.memory_one_fifth ? 'met' : 'not met'}).`,
  '',
);
lines.push('| package | zipped (MB) | unzipped (MB) |', '|---|---:|---:|');
for (const name of ['ratchet', 'seed']) {
  const p = packages[name];
  lines.push(`| ${name} | ${p.zipped_bytes === null ? 'n/a' : mb(p.zipped_bytes)} | ${mb(p.unzipped_bytes)} |`);
}
lines.push('');
lines.push('| | memory (MB) | Create: x86_64 / arm64 USD per 1,000 | no-op Update: x86_64 / arm64 USD per 1,000 |', '|---|---:|---:|---:|');
for (const name of ['ratchet', 'seed']) {
  for (const [label, c] of Object.entries(cost[name])) {
    const usd = (x) => `$${x.toFixed(4)}`;
    lines.push(
      `| ${name} (${label === 'needed' ? 'memory it needs' : "seed's 1024 MB"}) | ${c.memory_mb} | ${usd(c.create.x86_64_usd_per_1000)} / ${usd(c.create.arm64_usd_per_1000)} | ${usd(c.update.x86_64_usd_per_1000)} / ${usd(c.update.arm64_usd_per_1000)} |`,
    );
  }
}
lines.push('');
lines.push(
  `Prices: x86_64 $${PRICES.x86_64_usd_per_gb_second} and arm64 $${PRICES.arm64_usd_per_gb_second} per GB-second, $0.20 per million requests (${PRICES.source}), as published on ${PRICES.as_published_on}. ` +
    `Billed duration = cold start + event -> response (INIT is billed), median, rounded up to 1 ms; memory: ${result.memory_rule}.`,
);
const md = args.out.replace(/\.json$/, '') + '.md';
fs.writeFileSync(md, lines.join('\n') + '\n');
console.log(lines.join('\n'));
console.log(`wrote ${args.out} and ${md}`);
