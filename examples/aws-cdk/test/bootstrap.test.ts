// The staged asset with the real ratchet bootstrap (only when RATCHET_LAMBDA_ZIP points at the real zip): a fake
// Lambda Runtime API feeds it custom-resource events the way the CDK Provider does, and the bootstrap must agree
// with the construct's MigrationsHash, computed from the migrations it finds next to itself in the asset.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { stageLambdaAsset } from '../lib/lambda-asset';
import { computeMigrationsHash } from '../lib/migrations-hash';
import { simpleMigrations } from './helpers';

const zip = process.env.RATCHET_LAMBDA_ZIP;
const enabled = !!zip && fs.existsSync(zip) && fs.statSync(zip).isFile();
const skip = enabled ? false : 'RATCHET_LAMBDA_ZIP (the real ratchet-lambda.zip) not set or missing';

interface Outcome {
  kind: 'response' | 'error' | 'exited';
  body: any;
}

let server: http.Server;
let child: ChildProcess | undefined;
let stderr = '';
const pendingEvents: Array<{ id: string; event: object }> = [];
const waitingNext: http.ServerResponse[] = [];
const outcomes = new Map<string, (o: Outcome) => void>();
let counter = 0;

function deliver(res: http.ServerResponse, item: { id: string; event: object }): void {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Aws-Request-Id': item.id,
    'Lambda-Runtime-Deadline-Ms': String(Date.now() + 60_000),
    'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:eu-west-1:123456789012:function:RatchetMigrationsFunction',
    'Lambda-Runtime-Trace-Id': 'Root=1-00000000-000000000000000000000000',
  });
  res.end(JSON.stringify(item.event));
}

function invoke(event: object): Promise<Outcome> {
  const id = `req-${++counter}`;
  const p = new Promise<Outcome>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${id}; bootstrap stderr:\n${stderr}`)), 30_000);
    outcomes.set(id, (o) => {
      clearTimeout(timer);
      outcomes.delete(id);
      resolve(o);
    });
  });
  const item = { id, event };
  const res = waitingNext.shift();
  if (res) {
    deliver(res, item);
  } else {
    pendingEvents.push(item);
  }
  return p;
}

let migrationsHash = '';
let closedPort = 0;

function cfnEvent(requestType: 'Create' | 'Update' | 'Delete', hash: string, extra: object = {}): object {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:RatchetExample-ProviderframeworkonEvent',
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/RatchetExample/1',
    RequestId: `r-${counter}`,
    LogicalResourceId: 'Migrations23B444C5',
    ResourceType: 'Custom::RatchetMigrations',
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:RatchetExample-ProviderframeworkonEvent',
      ServiceTimeout: '1200',
      MigrationsHash: hash,
      DatabaseHost: '127.0.0.1',
      DatabasePort: String(closedPort),
      DatabaseName: 'blog',
      IamAuth: 'false',
    },
    ...extra,
  };
}

before(async () => {
  if (!enabled) {
    return;
  }
  const migrations = simpleMigrations();
  migrationsHash = computeMigrationsHash(migrations);
  const staged = stageLambdaAsset(zip!, migrations);

  // A port with nothing listening: connecting is refused at once.
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));

  server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      const item = pendingEvents.shift();
      if (item) {
        deliver(res, item);
      } else {
        waitingNext.push(res);
      }
      return;
    }
    const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method === 'POST' && m) {
        res.writeHead(202, { 'Content-Type': 'application/json' });
        res.end('{"status":"OK"}');
        let parsed: unknown = body;
        try {
          parsed = JSON.parse(body);
        } catch {
          // keep the raw text
        }
        outcomes.get(m[1])?.({ kind: m[2] as 'response' | 'error', body: parsed });
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;

  child = spawn(`${staged}/bootstrap`, [], {
    cwd: staged,
    env: {
      PATH: process.env.PATH,
      AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
      LAMBDA_TASK_ROOT: staged,
      _HANDLER: 'bootstrap',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      AWS_SESSION_TOKEN: 'token',
      AWS_LAMBDA_FUNCTION_NAME: 'RatchetMigrationsFunction',
      RATCHET_RESPONSE_MODE: 'provider',
      DATABASE_URL: `postgresql://ratchet:secret@127.0.0.1:${closedPort}/blog?sslmode=disable&connect_timeout=5`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => (stderr += c));
  child.stderr!.on('data', (c) => (stderr += c));
  // The bootstrap never exits on its own (it long-polls /next): if it does, fail the waiting tests at once.
  child.on('exit', (code, signal) => {
    for (const [id, done] of outcomes) {
      done({ kind: 'exited', body: { id, code, signal, stderr } });
    }
    outcomes.clear();
  });
});

after(async () => {
  child?.kill('SIGKILL');
  for (const res of waitingNext) {
    res.destroy();
  }
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('bootstrap: Update with another hash applies nothing and reports the bundled hash = MigrationsHash', { skip }, async () => {
  const o = await invoke(
    cfnEvent('Update', '0'.repeat(64), {
      PhysicalResourceId: `ratchet:127.0.0.1:${closedPort}/blog/public`,
      OldResourceProperties: {},
    }),
  );
  assert.equal(o.kind, 'response', JSON.stringify(o.body));
  assert.equal(o.body.Data.MigrationsHash, migrationsHash, 'the bootstrap hashes its bundled migrations/ the same way');
  assert.equal(o.body.Data.AppliedCount, '0');
});

test('bootstrap: Create with the construct hash gets past the hash check (fails only on the absent database)', { skip }, async (t) => {
  const o = await invoke(cfnEvent('Create', migrationsHash));
  t.diagnostic(`bootstrap error: ${JSON.stringify(o.body).slice(0, 300)}`);
  assert.equal(o.kind, 'error', 'there is no database');
  assert.doesNotMatch(JSON.stringify(o.body), /HashMismatch|does not match/);
});

test('bootstrap: Create with a wrong hash fails with HashMismatch', { skip }, async () => {
  const o = await invoke(cfnEvent('Create', 'f'.repeat(64)));
  assert.equal(o.kind, 'error');
  assert.match(JSON.stringify(o.body), /HashMismatch|does not match/);
});

test('bootstrap: Delete succeeds without touching the database', { skip }, async () => {
  const physical = `ratchet:127.0.0.1:${closedPort}/blog/public`;
  const o = await invoke(cfnEvent('Delete', migrationsHash, { PhysicalResourceId: physical }));
  assert.equal(o.kind, 'response', JSON.stringify(o.body));
  assert.equal(o.body.PhysicalResourceId ?? physical, physical);
});
