// The props a CDK user expects: everything derived from `database` (instance, cluster, proxy), architecture, logs,
// IConnectable, and the synth-time errors.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { App, Stack } from 'aws-cdk-lib/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { isNonTransactional } from '../lib/index';
import { RatchetMigrations, RatchetMigrationsProps } from '../lib/ratchet-migrations';
import { assertNoDependencyCycle, simpleMigrations, stubLambdaCode, tempDir, writeZip } from './helpers';

// Template tests: a stub asset is enough (the real zip is exercised by bootstrap.test.ts and the harness).
const lambdaCode = stubLambdaCode();
const migrations = simpleMigrations();
const X86 = lambda.Architecture.X86_64;

function stackWithVpc() {
  const app = new App({ outdir: tempDir('cdk-out'), builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'PropsStack');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  return { app, stack, vpc };
}

function instance(stack: Stack, vpc: ec2.IVpc, extra: Partial<rds.DatabaseInstanceProps> = {}) {
  return new rds.DatabaseInstance(stack, 'Db', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ...extra,
  });
}

function id(stack: Stack, c: { node: { defaultChild?: unknown } }): string {
  return stack.resolve((c.node.defaultChild as { logicalId: string }).logicalId);
}

test('an instance gives endpoint, port, VPC, secret and the ingress rule (only `database` and `migrations` passed)', () => {
  const { stack, vpc } = stackWithVpc();
  const db = instance(stack, vpc);
  const m = new RatchetMigrations(stack, 'Migrations', { database: db, migrations, lambdaCode, architecture: X86 });
  const t = Template.fromStack(stack);
  const dbId = id(stack, db);
  t.hasResourceProperties('Custom::RatchetMigrations', {
    DatabaseHost: { 'Fn::GetAtt': [dbId, 'Endpoint.Address'] },
    DatabasePort: { 'Fn::GetAtt': [dbId, 'Endpoint.Port'] },
    DatabaseName: Match.absent(), // the secret's dbname, else postgres
    SecretArn: { Ref: Match.stringLikeRegexp('^DbSecretAttachment') },
    IamAuth: 'false',
  });
  const fnSg = { 'Fn::GetAtt': [Match.stringLikeRegexp('^MigrationsSecurityGroup'), 'GroupId'] };
  t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    SourceSecurityGroupId: fnSg,
    FromPort: { 'Fn::GetAtt': [dbId, 'Endpoint.Port'] },
    GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbSecurityGroup'), 'GroupId'] },
  });
  t.hasResourceProperties('AWS::Lambda::Function', {
    Handler: 'bootstrap',
    Architectures: ['x86_64'],
    VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: [fnSg] },
  });
  // IConnectable: the construct's connections are the function's.
  assert.equal(m.connections, m.function.connections);
  assert.ok(m.connections.securityGroups.length === 1);
});

test('a cluster: its endpoint and port token (a string token, not digits)', () => {
  const { stack, vpc } = stackWithVpc();
  const cluster = new rds.DatabaseCluster(stack, 'Cluster', {
    engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_4 }),
    writer: rds.ClusterInstance.serverlessV2('writer'),
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });
  new RatchetMigrations(stack, 'Migrations', { database: cluster, databaseName: 'app', migrations, lambdaCode, architecture: X86 });
  const t = Template.fromStack(stack);
  const cid = id(stack, cluster);
  t.hasResourceProperties('Custom::RatchetMigrations', {
    DatabaseHost: { 'Fn::GetAtt': [cid, 'Endpoint.Address'] },
    DatabasePort: { 'Fn::GetAtt': [cid, 'Endpoint.Port'] },
    DatabaseName: 'app',
    SecretArn: { Ref: Match.stringLikeRegexp('^ClusterSecretAttachment') },
  });
  t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MigrationsSecurityGroup'), 'GroupId'] },
    GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClusterSecurityGroup'), 'GroupId'] },
  });
});

test('a proxy: its endpoint, port 5432, IAM connect on the proxy; non-transactional migrations refused at synth', () => {
  const { stack, vpc } = stackWithVpc();
  const db = instance(stack, vpc);
  const proxy = db.addProxy('Proxy', { secrets: [db.secret!], vpc, iamAuth: true });
  new RatchetMigrations(stack, 'Migrations', {
    database: proxy,
    iamAuth: true,
    databaseUser: 'migrator',
    vpc,
    migrations,
    lambdaCode,
    architecture: X86,
  });
  const t = Template.fromStack(stack);
  t.hasResourceProperties('Custom::RatchetMigrations', {
    DatabaseHost: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbProxy'), 'Endpoint'] },
    DatabasePort: '5432',
    IamAuth: 'true',
    DatabaseUser: 'migrator',
    SecretArn: Match.absent(),
  });
  t.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'rds-db:connect' })]) },
  });
  t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 5432, ToPort: 5432 });

  const concurrent = simpleMigrations();
  fs.mkdirSync(path.join(concurrent, '20240301000000_index'));
  fs.writeFileSync(
    path.join(concurrent, '20240301000000_index', 'migration.sql'),
    '-- a comment saying CREATE DATABASE x;\nCREATE INDEX CONCURRENTLY "Post_authorId_idx" ON "Post"("authorId");\n',
  );
  const s2 = stackWithVpc();
  const db2 = instance(s2.stack, s2.vpc);
  const proxy2 = db2.addProxy('Proxy', { secrets: [db2.secret!], vpc: s2.vpc });
  assert.throws(
    () =>
      new RatchetMigrations(s2.stack, 'Migrations', {
        database: proxy2,
        secret: db2.secret,
        vpc: s2.vpc,
        migrations: concurrent,
        lambdaCode,
        architecture: X86,
      }),
    /20240301000000_index cannot run in a transaction, which is not safe through an RDS Proxy/,
  );
});

test('which scripts run outside a transaction (keywords in strings, comments and bodies do not count)', () => {
  for (const sql of [
    'CREATE INDEX CONCURRENTLY i ON t(a);',
    'create unique index concurrently i on t(a);',
    'DROP INDEX CONCURRENTLY i;',
    'REINDEX TABLE CONCURRENTLY t;',
    'VACUUM t;',
    'SELECT 1;\nCOMMIT;',
    'ALTER TABLE p DETACH PARTITION c CONCURRENTLY;',
    '-- ratchet:no-transaction\nUPDATE t SET a = 1;',
  ]) {
    assert.equal(isNonTransactional(sql), true, sql);
  }
  for (const sql of [
    "SELECT 'CREATE INDEX CONCURRENTLY';",
    '-- VACUUM t;\nSELECT 1;',
    '/* COMMIT; /* nested */ VACUUM */ SELECT 1;',
    'DO $$ BEGIN PERFORM 1; COMMIT; END $$;',
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;',
    'CREATE TABLE "VACUUM" (a int);',
    "SELECT E'it\\'s; VACUUM';",
  ]) {
    assert.equal(isNonTransactional(sql), false, sql);
  }
});

test('architecture: arm64 by default; a zip for the other processor is refused; the packaged zip must exist', () => {
  const { stack, vpc } = stackWithVpc();
  const db = instance(stack, vpc);
  // An arm64 ELF header in a zip: accepted for arm64 (the default), refused for x86_64.
  const elf = Buffer.alloc(64);
  elf.writeUInt32BE(0x7f454c46, 0);
  elf[4] = 2;
  elf[5] = 1;
  elf.writeUInt16LE(183, 18);
  const zip = path.join(tempDir('arm-zip'), 'ratchet-lambda.zip');
  writeZip(zip, [{ name: 'bootstrap', data: elf, mode: 0o100755 }]);
  new RatchetMigrations(stack, 'Arm', { database: db, migrations, lambdaCode: zip });
  Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Handler: 'bootstrap', Architectures: ['arm64'] });
  assert.throws(
    () => new RatchetMigrations(stack, 'X86', { database: db, migrations, lambdaCode: zip, architecture: X86 }),
    /built for arm64, but the function's architecture is x86_64/,
  );
  // Without lambdaCode the package's own zip is used; in this source tree there is none.
  assert.throws(
    () => new RatchetMigrations(stack, 'Packaged', { database: db, migrations }),
    /carries no arm64 Lambda zip .*Pass architecture: lambda\.Architecture\.X86_64/,
  );
});

test('logs: logRetention makes a log group; logGroup is used as given; not both', () => {
  const { stack, vpc } = stackWithVpc();
  const db = instance(stack, vpc);
  const base: RatchetMigrationsProps = { database: db, migrations, lambdaCode, architecture: X86 };
  const m = new RatchetMigrations(stack, 'A', { ...base, logRetention: logs.RetentionDays.ONE_WEEK });
  const own = new logs.LogGroup(stack, 'Own');
  new RatchetMigrations(stack, 'B', { ...base, logGroup: own });
  const t = Template.fromStack(stack);
  t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  t.hasResourceProperties('AWS::Lambda::Function', {
    Handler: 'bootstrap',
    LoggingConfig: { LogGroup: { Ref: id(stack, m.logGroup as logs.LogGroup) } },
  });
  t.hasResourceProperties('AWS::Lambda::Function', {
    Handler: 'bootstrap',
    LoggingConfig: { LogGroup: { Ref: id(stack, own) } },
  });
  assert.throws(() => new RatchetMigrations(stack, 'C', { ...base, logGroup: own, logRetention: logs.RetentionDays.ONE_DAY }), /not both/);
});

test('no cycle when the app opens the same database port and waits for the migrations', () => {
  // The app function's security group is its child: waiting for the migrations makes the group wait too, and the
  // database group holds the app's ingress rule. Depending on the whole database construct would close a cycle.
  const { stack, vpc } = stackWithVpc();
  const db = instance(stack, vpc);
  const m = new RatchetMigrations(stack, 'Migrations', { database: db, migrations, lambdaCode, architecture: X86 });
  const api = new lambda.Function(stack, 'Api', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => 1;'),
    vpc,
  });
  db.connections.allowDefaultPortFrom(api);
  m.applyBefore(api);
  const t = Template.fromStack(stack).toJSON();
  assertNoDependencyCycle(t);
  assert.equal(m.ingressRules.length, 1);
  const dependsOn: string[] = t.Resources[id(stack, m.customResource)].DependsOn;
  assert.ok(dependsOn.includes(stack.resolve(m.ingressRules[0].logicalId)), 'waits for its own rule');
  assert.ok(dependsOn.includes(id(stack, db)), 'waits for the database');
  const appRules = Object.keys(t.Resources).filter(
    (k) => t.Resources[k].Type === 'AWS::EC2::SecurityGroupIngress' && k !== stack.resolve(m.ingressRules[0].logicalId),
  );
  assert.equal(appRules.length, 1);
  assert.ok(!dependsOn.includes(appRules[0]), "does not wait for the app's rule");
});

test('applyBefore: every dependent waits for the custom resource', () => {
  const { stack, vpc } = stackWithVpc();
  const db = instance(stack, vpc);
  const m = new RatchetMigrations(stack, 'Migrations', { database: db, migrations, lambdaCode, architecture: X86 });
  const a = new ec2.SecurityGroup(stack, 'A', { vpc });
  const b = new ec2.SecurityGroup(stack, 'B', { vpc });
  m.applyBefore(a, b);
  const t = Template.fromStack(stack).toJSON();
  const crId = id(stack, m.customResource);
  for (const sg of [a, b]) {
    assert.deepEqual(t.Resources[id(stack, sg)].DependsOn, [crId]);
  }
});

test('errors: no database and no host; an imported database without vpc', () => {
  const { stack, vpc } = stackWithVpc();
  assert.throws(() => new RatchetMigrations(stack, 'A', { migrations, lambdaCode, architecture: X86, vpc }), /pass database/);
  const imported = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Imported', {
    instanceIdentifier: 'db',
    instanceEndpointAddress: 'db.example.internal',
    port: 5432,
    securityGroups: [],
  });
  assert.throws(
    () => new RatchetMigrations(stack, 'B', { database: imported, migrations, lambdaCode, architecture: X86 }),
    /vpc is required/,
  );
});
