// RatchetMigrations on its own: validation of its props and the variants the example stack does not cover.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { App, Duration, Stack } from 'aws-cdk-lib/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { addRdsCaBundle } from '../lib/lambda-asset';
import { RatchetMigrations, RatchetMigrationsProps } from '../lib/ratchet-migrations';
import { lambdaCodeForTests, simpleMigrations, tempDir } from './helpers';

const lambdaCode = lambdaCodeForTests().path;
const migrationsDir = simpleMigrations();

function fixture(overrides: Partial<RatchetMigrationsProps> = {}, withSecret = true) {
  const app = new App({ outdir: tempDir('cdk-out'), builtinCloudFormationValidation: false });
  // Environment-agnostic: no availability-zone lookup at all.
  const stack = new Stack(app, 'TestStack');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const secret = withSecret ? new secretsmanager.Secret(stack, 'Secret') : undefined;
  const props: RatchetMigrationsProps = {
    vpc,
    databaseHost: 'db.example.internal',
    databasePort: 5432,
    databaseName: 'app',
    databaseSecret: secret,
    migrationsDir,
    lambdaCode,
    architecture: lambda.Architecture.X86_64,
    ...overrides,
  };
  return { app, stack, vpc, secret, props };
}

function make(overrides: Partial<RatchetMigrationsProps> = {}, withSecret = true) {
  const f = fixture(overrides, withSecret);
  const migrations = new RatchetMigrations(f.stack, 'Migrations', f.props);
  return { ...f, migrations, template: () => Template.fromStack(f.stack) };
}

test('timeout: 14 minutes is accepted, more is rejected', () => {
  const ok = make({ timeout: Duration.minutes(14), serviceTimeout: Duration.minutes(15) });
  ok.template().hasResourceProperties('AWS::Lambda::Function', { Runtime: 'provided.al2023', Timeout: 840 });
  for (const timeout of [Duration.seconds(841), Duration.minutes(15), Duration.minutes(30)]) {
    assert.throws(() => make({ timeout, serviceTimeout: Duration.hours(1) }), /14 minutes/);
  }
});

test('serviceTimeout: 1 s..1 h and not shorter than the Lambda timeout', () => {
  assert.throws(() => make({ serviceTimeout: Duration.seconds(3601) }), /serviceTimeout/);
  assert.throws(() => make({ timeout: Duration.minutes(10), serviceTimeout: Duration.minutes(5) }), /shorter/);
  const t = make({ timeout: Duration.minutes(5), serviceTimeout: Duration.minutes(7) }).template();
  t.hasResourceProperties('Custom::RatchetMigrations', { ServiceTimeout: '420' });
});

test('lint: the gate is a resource property, absent when off; a bad value is refused at synth', () => {
  make({ lint: 'error' }).template().hasResourceProperties('Custom::RatchetMigrations', { Lint: 'error' });
  make({ lint: 'warn' }).template().hasResourceProperties('Custom::RatchetMigrations', { Lint: 'warn' });
  // Off adds nothing, so turning it off does not change the properties (and re-run the resource).
  make({ lint: 'off' }).template().hasResourceProperties('Custom::RatchetMigrations', { Lint: Match.absent() });
  assert.throws(() => make({ lint: 'strict' as 'error' }), /lint must be/);
});

test('credentials: a secret, or IAM auth with a user and the database', () => {
  assert.throws(() => make({}, false), /no credentials/);
  assert.throws(() => make({ iamAuth: true }, false), /databaseUser/);
  assert.throws(() => make({ iamAuth: true, databaseUser: 'migrator' }, false), /database/);
});

test('defaults: own security group, secret read, properties with the literal port, no ingress rule', () => {
  const m = make({ schema: 'blog', environment: { RATCHET_SSLMODE: 'require', RATCHET_RESPONSE_MODE: 'direct' } });
  const t = m.template();
  t.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  t.resourceCountIs('AWS::EC2::SecurityGroup', 1);
  t.hasResourceProperties('Custom::RatchetMigrations', {
    MigrationsHash: m.migrations.migrationsHash,
    DatabaseHost: 'db.example.internal',
    DatabasePort: '5432',
    DatabaseName: 'app',
    Schema: 'blog',
    IamAuth: 'false',
    SecretArn: { Ref: Match.stringLikeRegexp('^Secret') },
    DatabaseUser: Match.absent(),
  });
  t.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'provided.al2023',
    Timeout: 600,
    Environment: {
      Variables: {
        RATCHET_SSLMODE: 'require',
        RATCHET_RESPONSE_MODE: 'provider', // behind the Provider it cannot be overridden
        DATABASE_SECRET_ARN: { Ref: Match.stringLikeRegexp('^Secret') },
      },
    },
  });
  t.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] }),
      ]),
    },
    Roles: [{ Ref: Match.stringLikeRegexp('^MigrationsFunctionServiceRole') }],
  });
});

test('given security groups, a DB security group and extra dependencies', () => {
  const f = fixture();
  const sgs = [new ec2.SecurityGroup(f.stack, 'SgA', { vpc: f.vpc }), new ec2.SecurityGroup(f.stack, 'SgB', { vpc: f.vpc })];
  const dbSg = new ec2.SecurityGroup(f.stack, 'DbSg', { vpc: f.vpc });
  const extra = new ec2.SecurityGroup(f.stack, 'Extra', { vpc: f.vpc });
  const m = new RatchetMigrations(f.stack, 'Migrations', {
    ...f.props,
    securityGroups: sgs,
    databaseSecurityGroup: dbSg,
    databasePort: 6543,
    dependencies: [extra],
  });
  const t = Template.fromStack(f.stack);
  assert.equal(m.securityGroups.length, 2);
  t.resourceCountIs('AWS::EC2::SecurityGroupIngress', 2);
  const rules = t.findResources('AWS::EC2::SecurityGroupIngress', {
    Properties: { FromPort: 6543, ToPort: 6543, IpProtocol: 'tcp', GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbSg'), 'GroupId'] } },
  });
  assert.equal(Object.keys(rules).length, 2, 'one rule per function security group, on the database group');
  const res = t.findResources('Custom::RatchetMigrations');
  const dependsOn: string[] = Object.values(res)[0].DependsOn;
  for (const id of [...Object.keys(rules), f.stack.resolve((extra.node.defaultChild as ec2.CfnSecurityGroup).logicalId)]) {
    assert.ok(dependsOn.includes(id), `the custom resource waits for ${id}`);
  }
  t.hasResourceProperties('AWS::Lambda::Function', {
    Runtime: 'provided.al2023',
    VpcConfig: { SecurityGroupIds: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^SgA'), 'GroupId'] }]) },
  });
});

test('IAM auth: rds-db:connect instead of secret read; no secret environment without a secret', () => {
  const f = fixture({}, false);
  const db = new rds.DatabaseInstance(f.stack, 'Db', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
    vpc: f.vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    iamAuthentication: true,
  });
  new RatchetMigrations(f.stack, 'Migrations', {
    ...f.props,
    database: db,
    databaseHost: db.dbInstanceEndpointAddress,
    databasePort: db.dbInstanceEndpointPort,
    iamAuth: true,
    databaseUser: 'migrator',
  });
  const t = Template.fromStack(f.stack);
  t.hasResourceProperties('Custom::RatchetMigrations', {
    IamAuth: 'true',
    DatabaseUser: 'migrator',
    SecretArn: Match.absent(),
  });
  t.hasResourceProperties('AWS::IAM::Policy', {
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'rds-db:connect' })]) },
    Roles: [{ Ref: Match.stringLikeRegexp('^MigrationsFunctionServiceRole') }],
  });
  const fns = t.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'provided.al2023' } });
  const env = Object.values(fns)[0].Properties.Environment.Variables;
  assert.equal(env.DATABASE_SECRET_ARN, undefined);
  const res = Object.values(t.findResources('Custom::RatchetMigrations'))[0];
  assert.ok(res.DependsOn.includes(f.stack.resolve((db.node.defaultChild as rds.CfnDBInstance).logicalId)));
});

test('the staged asset carries the RDS CA bundle for verify-full', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-ca-'));
  try {
    addRdsCaBundle(dir);
    const pem = fs.readFileSync(path.join(dir, 'certs', 'rds-global-bundle.pem'), 'utf8');
    const count = (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;
    assert.ok(count >= 100, `expected Amazon's RDS CA certificates, found ${count}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
