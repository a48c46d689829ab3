// The custom resource end to end, offline, driven by the code CloudFormation actually runs: aws-cdk-lib's
// provider-framework onEvent (unmodified) invokes ratchet's real bootstrap, started from the staged asset in cdk.out,
// against a scratch PostgreSQL database; the framework's PUT is captured by a loopback HTTPS server. The assertions are
// on the exact bytes CloudFormation would receive. See provider-harness.ts for what is real and what stands in.
//
// Needs RATCHET_LAMBDA_ZIP (the real ratchet-lambda.zip) and RATCHET_TEST_ADMIN_URL (a PostgreSQL superuser URL);
// skipped without them (run-tests.sh refuses a real zip without a database unless RATCHET_CDK_SKIP_HARNESS=1).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib/core';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RatchetMigrations } from '../lib/ratchet-migrations';
import { tempDir } from './helpers';
import { LambdaSandbox } from './lambda-sandbox';
import {
  ACCOUNT,
  CapturedPut,
  createScratchDatabase,
  databaseUrl,
  deployedFunctions,
  dropScratchDatabase,
  Framework,
  frameworkRuntimeDir,
  functionEnvironment,
  lambdaArn,
  loadFramework,
  makeTestCa,
  newRequestId,
  psql,
  readSynthesized,
  REGION,
  resourceProperties,
  ResponseRecorder,
  SynthesizedStack,
  TestCa,
} from './provider-harness';

const zip = process.env.RATCHET_LAMBDA_ZIP;
const admin = process.env.RATCHET_TEST_ADMIN_URL;
const enabled = !!zip && fs.existsSync(zip) && fs.statSync(zip).isFile() && !!admin;
const skip = enabled ? false : 'needs RATCHET_LAMBDA_ZIP (the real zip) and RATCHET_TEST_ADMIN_URL';

const STACK = 'RatchetHarness';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/5b1a8c40-d0a1-11f0-9c2b-0a1b2c3d4e5f`;
// The function's database password: it must never reach CloudFormation, the framework's log or the function's log.
const PASSWORD = 'pw-"q\\uo\'te-SeCrEt-7d41';
const CREATE_FAILED_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

let ca: TestCa;
let recorder: ResponseRecorder;
let framework: Framework;
const databases: string[] = [];
const sandboxes: LambdaSandbox[] = [];

// --- fixtures: migrations directories, one per release ---

const MIGRATIONS: Record<string, string> = {
  '20240101000000_init': 'CREATE TABLE "Author" ("id" SERIAL PRIMARY KEY, "email" TEXT NOT NULL);\n',
  '20240201000000_posts':
    'CREATE TABLE "Post" ("id" SERIAL PRIMARY KEY, "authorId" INTEGER NOT NULL REFERENCES "Author"("id"));\n',
  '20240301000000_comments': 'CREATE TABLE "Comment" ("id" SERIAL PRIMARY KEY, "body" TEXT NOT NULL);\n',
  '20240401000000_broken': 'ALTER TABLE "Comment" ADD COLUMN "postId" INTEGER NOT NULL REFERENCES "Nope"("id");\n',
};

// An error of ~10 KB: mostly quotes and backslashes (each one byte that JSON escaping doubles), newlines (escaped too)
// and multi-byte characters (more bytes than characters). PostgreSQL reports message, detail and hint.
const NOISY_ERROR_SQL =
  'DO $$\nBEGIN\n  RAISE EXCEPTION USING\n' +
  `    MESSAGE = 'ratchet harness: the useful part comes first; ' || repeat(E'"quoted" \\\\back\\\\slash\\n€ 😀 ü ', 3) ||\n` +
  `      repeat(E'"\\\\', 1500) || repeat(E'€😀\\n', 100),\n` +
  `    DETAIL = repeat(E'detail "\\\\" \\n', 200),\n` +
  `    HINT = repeat(E'hint ✓ "x"\\n', 200);\nEND\n$$;\n`;

function migrationsDir(names: string[], extra: Record<string, string> = {}): string {
  const d = tempDir('harness-migrations');
  fs.writeFileSync(path.join(d, 'migration_lock.toml'), 'provider = "postgresql"\n');
  for (const [name, sql] of [...names.map((n) => [n, MIGRATIONS[n]]), ...Object.entries(extra)]) {
    fs.mkdirSync(path.join(d, name));
    fs.writeFileSync(path.join(d, name, 'migration.sql'), sql);
  }
  return d;
}

/** Synthesizes the stack CloudFormation would deploy (the construct with the migrations) into its own cdk.out. */
function synth(migrations: string, db: string): SynthesizedStack {
  const port = Number(new URL(admin!).port);
  const outdir = tempDir('harness-cdk-out');
  const app = new App({ outdir, builtinCloudFormationValidation: false });
  const stack = new Stack(app, STACK);
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  new RatchetMigrations(stack, 'Migrations', {
    vpc,
    databaseHost: '127.0.0.1',
    databasePort: port,
    databaseName: db,
    databaseSecret: new secretsmanager.Secret(stack, 'Secret'),
    migrations,
    lambdaCode: zip,
    architecture: lambda.Architecture.X86_64,
  });
  app.synth();
  return readSynthesized(outdir, STACK);
}

/**
 * Deploys the function code of `stack` (CloudFormation updates the function before the custom resource that depends
 * on it): a fresh execution environment started from the staged asset in cdk.out, with the template's environment.
 */
async function deployFunction(stack: SynthesizedStack, db: string, env: Record<string, string> = {}): Promise<LambdaSandbox> {
  const arn = lambdaArn(stack.migrationFunction);
  await deployedFunctions.get(arn)?.stop();
  const sandbox = new LambdaSandbox({
    codeDir: stack.migrationAssetDir,
    functionArn: arn,
    environment: {
      ...functionEnvironment(stack, stack.migrationFunction),
      DATABASE_URL: databaseUrl(admin!, db, PASSWORD),
      SSL_CERT_FILE: ca.caFile,
      ...env,
    },
  });
  await sandbox.start();
  sandboxes.push(sandbox);
  deployedFunctions.set(arn, sandbox);
  return sandbox;
}

interface CfnRequest {
  RequestType: 'Create' | 'Update' | 'Delete';
  ServiceToken: string;
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  ResourceType: string;
  ResourceProperties: Record<string, string>;
  PhysicalResourceId?: string;
  OldResourceProperties?: Record<string, string>;
}

function cfnEvent(
  stack: SynthesizedStack,
  type: CfnRequest['RequestType'],
  extra: { physicalId?: string; oldProps?: Record<string, string>; serviceToken?: string } = {},
): CfnRequest {
  const requestId = newRequestId();
  const props = resourceProperties(stack);
  const serviceToken = extra.serviceToken ?? props.ServiceToken;
  return {
    RequestType: type,
    ServiceToken: serviceToken,
    ResponseURL: recorder.responseUrl(requestId),
    StackId: STACK_ID,
    RequestId: requestId,
    LogicalResourceId: stack.customResource,
    ResourceType: 'Custom::RatchetMigrations',
    ResourceProperties: { ...props, ServiceToken: serviceToken },
    ...(extra.physicalId !== undefined ? { PhysicalResourceId: extra.physicalId } : {}),
    ...(extra.oldProps !== undefined ? { OldResourceProperties: extra.oldProps } : {}),
  };
}

/** The one PUT CloudFormation received for `event`, checked for what S3's pre-signed URL requires. */
function receivedPut(event: CfnRequest): CapturedPut {
  const puts = recorder.for(event.RequestId);
  assert.equal(puts.length, 1, `exactly one answer for ${event.RequestType} ${event.RequestId}`);
  const put = puts[0];
  assert.equal(put.method, 'PUT');
  const sent = new URL(event.ResponseURL);
  assert.equal(put.url, sent.pathname + sent.search, 'path and pre-signed query unchanged');
  assert.equal(put.headers['content-type'], '', 'empty Content-Type (the URL is signed without one)');
  assert.equal(put.headers['content-length'], String(put.body.length));
  assert.ok(put.body.length <= 4096, `CloudFormation rejects bodies over 4,096 bytes; got ${put.body.length}`);
  const text = put.body.toString('utf8');
  assert.ok(Buffer.from(text, 'utf8').equals(put.body), 'the body is valid UTF-8');
  assert.ok(!text.includes(PASSWORD), 'the password never reaches CloudFormation');
  return put;
}

/** CloudFormation -> the provider framework (as CloudFormation invokes it) -> the PUT it received. */
async function viaFramework(stack: SynthesizedStack, event: CfnRequest): Promise<string> {
  process.env.USER_ON_EVENT_FUNCTION_ARN = functionEnvironment(stack, stack.frameworkFunction).USER_ON_EVENT_FUNCTION_ARN;
  await framework.onEvent(JSON.parse(JSON.stringify(event)));
  return receivedPut(event).body.toString('utf8');
}

/** The exact body the framework sends, spelled out field by field (cfn-response.js's key order). */
function expectedBody(
  event: CfnRequest,
  status: 'SUCCESS' | 'FAILED',
  physicalId: string,
  reason: string,
  data?: Record<string, string>,
): string {
  return (
    `{"Status":${JSON.stringify(status)},"Reason":${JSON.stringify(reason)},"StackId":${JSON.stringify(STACK_ID)},` +
    `"RequestId":${JSON.stringify(event.RequestId)},"PhysicalResourceId":${JSON.stringify(physicalId)},` +
    `"LogicalResourceId":${JSON.stringify(event.LogicalResourceId)}` +
    (data ? `,"Data":${JSON.stringify(data)}` : '') +
    '}'
  );
}

function history(db: string): string {
  return psql(
    databaseUrl(admin!, db),
    `SELECT string_agg(migration_name || ':' || CASE WHEN finished_at IS NOT NULL THEN 'applied' ` +
      `WHEN rolled_back_at IS NOT NULL THEN 'rolled_back' ELSE 'failed' END, ' ' ORDER BY migration_name, started_at) ` +
      'FROM _prisma_migrations',
  );
}

function tables(db: string): string {
  return psql(
    databaseUrl(admin!, db),
    "SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'",
  );
}

before(async () => {
  if (!enabled) {
    return;
  }
  const dir = tempDir('harness');
  ca = makeTestCa(dir);
  recorder = new ResponseRecorder(ca);
  await recorder.start();
  framework = loadFramework(recorder, ca, dir);
});

after(async () => {
  for (const s of sandboxes) {
    await s.stop();
  }
  await recorder?.stop();
  for (const db of databases) {
    try {
      dropScratchDatabase(admin!, db);
    } catch {
      // best effort
    }
  }
});

describe('provider framework (aws-cdk-lib, unmodified) -> staged bootstrap -> PostgreSQL', { skip }, () => {
  test('the framework code is what the Provider stages into cdk.out', () => {
    const db = 'unused';
    const stack = synth(migrationsDir(['20240101000000_init']), db);
    for (const f of ['framework.js', 'cfn-response.js', 'outbound.js', 'util.js', 'consts.js']) {
      assert.ok(
        fs.readFileSync(path.join(stack.frameworkAssetDir, f)).equals(fs.readFileSync(path.join(frameworkRuntimeDir(), f))),
        `${f} in cdk.out equals node_modules/aws-cdk-lib`,
      );
    }
    assert.ok((fs.statSync(path.join(stack.migrationAssetDir, 'bootstrap')).mode & 0o111) !== 0, 'bootstrap is executable');
  });

  test('Create, Update with new migrations, failed Update, rollback Update, Delete', async (t) => {
    const db = createScratchDatabase(admin!, 'life');
    databases.push(db);
    const port = new URL(admin!).port;
    const physicalId = `ratchet:127.0.0.1:${port}/${db}/public`;

    const v1 = synth(migrationsDir(['20240101000000_init', '20240201000000_posts']), db);
    const v2 = synth(migrationsDir(['20240101000000_init', '20240201000000_posts', '20240301000000_comments']), db);
    const v3 = synth(
      migrationsDir(['20240101000000_init', '20240201000000_posts', '20240301000000_comments', '20240401000000_broken']),
      db,
    );
    assert.equal(v1.customResource, v3.customResource, 'logical IDs are stable across releases');
    const [p1, p2, p3] = [v1, v2, v3].map(resourceProperties);
    assert.notEqual(p1.MigrationsHash, p2.MigrationsHash);

    await t.test('Create applies every migration', async () => {
      await deployFunction(v1, db);
      const event = cfnEvent(v1, 'Create');
      const body = await viaFramework(v1, event);
      assert.equal(
        body,
        expectedBody(event, 'SUCCESS', physicalId, 'SUCCESS', {
          AppliedCount: '2',
          LastMigration: '20240201000000_posts',
          MigrationsHash: p1.MigrationsHash,
        }),
      );
      assert.equal(history(db), '20240101000000_init:applied 20240201000000_posts:applied');
    });

    await t.test('Update with a new migration applies only that one', async () => {
      await deployFunction(v2, db);
      const event = cfnEvent(v2, 'Update', { physicalId, oldProps: p1 });
      const body = await viaFramework(v2, event);
      assert.equal(
        body,
        expectedBody(event, 'SUCCESS', physicalId, 'SUCCESS', {
          AppliedCount: '1',
          LastMigration: '20240301000000_comments',
          MigrationsHash: p2.MigrationsHash,
        }),
      );
      assert.equal(
        history(db),
        '20240101000000_init:applied 20240201000000_posts:applied 20240301000000_comments:applied',
      );
    });

    await t.test('a failing Update answers FAILED and keeps the old PhysicalResourceId', async () => {
      await deployFunction(v3, db);
      const event = cfnEvent(v3, 'Update', { physicalId, oldProps: p2 });
      const body = await viaFramework(v3, event);
      // The framework's Reason: the bootstrap's errorMessage, where the log is, then its trace after the first line.
      const reason =
        '[P3018] A migration failed to apply. New migrations cannot be applied before the error is recovered from. ' +
        'Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\n' +
        'Migration name: 20240401000000_broken\n\nDatabase error code: 42P01\n\n' +
        'Database error:\nERROR: relation "Nope" does not exist\n\n' +
        'Position: 20240401000000_broken/migration.sql line 1, column 1 (statement 1)\n' +
        'ALTER TABLE "Comment" ADD COLUMN "postId" INTEGER NOT NULL REFERENCES "Nope"("id")\n\n\n' +
        `Logs: /aws/lambda/${v3.migrationFunction}\n\n` +
        'code: P3018\nsqlstate: 42P01\nmigration: 20240401000000_broken';
      assert.equal(body, expectedBody(event, 'FAILED', physicalId, reason), 'FAILED, same PhysicalResourceId, no Data');
      assert.equal(
        history(db),
        '20240101000000_init:applied 20240201000000_posts:applied 20240301000000_comments:applied 20240401000000_broken:rolled_back',
        'the failed attempt is kept as evidence (rolled back: one transaction per migration)',
      );
      assert.equal(tables(db), '_prisma_migrations Author Comment Post'.split(' ').sort().join(' '));
    });

    await t.test('the rollback Update (old code, swapped properties) succeeds without applying anything', async () => {
      await deployFunction(v2, db);
      const event = cfnEvent(v2, 'Update', { physicalId, oldProps: p3 });
      const body = await viaFramework(v2, event);
      assert.equal(
        body,
        expectedBody(event, 'SUCCESS', physicalId, 'SUCCESS', {
          AppliedCount: '0',
          LastMigration: '20240301000000_comments',
          MigrationsHash: p2.MigrationsHash,
          Warnings: 'database holds migrations newer than this bundle: 20240401000000_broken',
        }),
      );
      assert.equal(
        history(db),
        '20240101000000_init:applied 20240201000000_posts:applied 20240301000000_comments:applied 20240401000000_broken:rolled_back',
      );
    });

    await t.test('Delete succeeds, keeps the PhysicalResourceId and leaves the database alone', async () => {
      const before = history(db);
      const event = cfnEvent(v2, 'Delete', { physicalId });
      const body = await viaFramework(v2, event);
      assert.equal(body, expectedBody(event, 'SUCCESS', physicalId, 'SUCCESS', {}));
      assert.equal(history(db), before);
      assert.equal(tables(db), '_prisma_migrations Author Comment Post'.split(' ').sort().join(' '));
    });

    const logs = framework.log.join('\n') + deployedFunctions.get(lambdaArn(v2.migrationFunction))!.log;
    assert.ok(!logs.includes(PASSWORD), 'the password is in no log');
  });

  test('a long error full of quotes, backslashes, newlines and multi-byte characters fits in 4,096 bytes', async (t) => {
    const db = createScratchDatabase(admin!, 'noisy');
    databases.push(db);
    const stack = synth(migrationsDir(['20240101000000_init'], { '20240501000000_noisy_failure': NOISY_ERROR_SQL }), db);
    await deployFunction(stack, db);
    const event = cfnEvent(stack, 'Create');
    const body = await viaFramework(stack, event);
    t.diagnostic(`PUT body: ${Buffer.byteLength(body)} bytes`);
    const reason = JSON.parse(body).Reason as string;
    assert.equal(body, expectedBody(event, 'FAILED', CREATE_FAILED_MARKER, reason));
    assert.match(reason, /20240501000000_noisy_failure/, 'the reason names the migration');
    assert.match(reason, /ratchet harness: the useful part comes first; "quoted" \\back\\slash\n€ 😀 ü /);
    assert.ok(!reason.includes('\uFFFD'), 'no multi-byte character was cut in half');
    assert.equal(
      history(db),
      '20240101000000_init:applied 20240501000000_noisy_failure:rolled_back',
      'the first migration stays applied, the failed attempt is recorded',
    );

    // CloudFormation then deletes the resource that failed to create; the framework answers that itself.
    const del = cfnEvent(stack, 'Delete', { physicalId: CREATE_FAILED_MARKER });
    assert.equal(await viaFramework(stack, del), expectedBody(del, 'SUCCESS', CREATE_FAILED_MARKER, 'SUCCESS'));
  });

  test('direct mode (no framework): the bootstrap PUTs to the ResponseURL itself over verified TLS', async () => {
    const db = createScratchDatabase(admin!, 'direct');
    databases.push(db);
    const port = new URL(admin!).port;
    const physicalId = `ratchet:127.0.0.1:${port}/${db}/public`;
    const stack = synth(migrationsDir(['20240101000000_init', '20240201000000_posts']), db);
    // The function is its own ServiceToken; `auto` (the bootstrap's default) recognises that as direct mode.
    const fn = await deployFunction(stack, db, { RATCHET_RESPONSE_MODE: 'auto' });
    const arn = lambdaArn(stack.migrationFunction);

    const create = cfnEvent(stack, 'Create', { serviceToken: arn });
    const outcome = await fn.invoke(JSON.stringify(create));
    assert.equal(outcome.kind, 'response', 'success is posted to Lambda after the PUT, so async retries do not re-run it');
    const body = receivedPut(create).body.toString('utf8');
    assert.equal(
      body,
      // The bootstrap's own PUT: compact JSON, keys sorted, no Reason on SUCCESS.
      JSON.stringify({
        Data: { AppliedCount: '2', LastMigration: '20240201000000_posts', MigrationsHash: resourceProperties(stack).MigrationsHash },
        LogicalResourceId: stack.customResource,
        PhysicalResourceId: physicalId,
        RequestId: create.RequestId,
        StackId: STACK_ID,
        Status: 'SUCCESS',
      }),
    );
    assert.equal(history(db), '20240101000000_init:applied 20240201000000_posts:applied');

    // A failing Update in direct mode: the same 4 KB rule, now enforced by the bootstrap alone.
    const noisy = synth(
      migrationsDir(['20240101000000_init', '20240201000000_posts'], { '20240501000000_noisy_failure': NOISY_ERROR_SQL }),
      db,
    );
    const fn2 = await deployFunction(noisy, db, { RATCHET_RESPONSE_MODE: 'auto' });
    const update = cfnEvent(noisy, 'Update', {
      serviceToken: arn,
      physicalId,
      oldProps: { ...resourceProperties(stack), ServiceToken: arn },
    });
    const o2 = await fn2.invoke(JSON.stringify(update));
    assert.equal(o2.kind, 'response');
    const failed = JSON.parse(receivedPut(update).body.toString('utf8'));
    assert.equal(failed.Status, 'FAILED');
    assert.equal(failed.PhysicalResourceId, physicalId);
    assert.match(failed.Reason, /20240501000000_noisy_failure/);
    assert.match(failed.Reason, /ratchet harness: the useful part comes first; "quoted" \\back\\slash\n€ 😀 ü /);
    assert.ok(!fn2.log.includes(PASSWORD) && !fn.log.includes(PASSWORD), 'the password is in no log');
  });
});
