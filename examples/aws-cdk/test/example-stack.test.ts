// The example stack, synthesised offline: the availability zones are pre-seeded in the context, so no AWS call (and
// no network) is needed. run-tests.sh can run this under `unshare -n`.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { App, CfnElement, Stack } from 'aws-cdk-lib/core';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RatchetExampleStack } from '../lib/example-stack';
import { computeMigrationsHash } from '../lib/migrations-hash';
import { assertNoDependencyCycle, lambdaCodeForTests, ratchetHash, simpleMigrations, tempDir } from './helpers';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const lambdaCode = lambdaCodeForTests();

interface Synth {
  stack: RatchetExampleStack;
  template: Template;
  outdir: string;
  missingContext: unknown;
}

function synth(migrationsDir: string, extra: { iamAuth?: boolean; validate?: boolean } = {}): Synth {
  const outdir = tempDir('cdk-out');
  const app = new App({
    outdir,
    // aws-cdk-lib's built-in CloudFormation validation (offline) costs ~10 s on a 2-core box: run it once, on `base`.
    builtinCloudFormationValidation: extra.validate ?? false,
    context: {
      [`availability-zones:account=${ACCOUNT}:region=${REGION}`]: [`${REGION}a`, `${REGION}b`, `${REGION}c`],
    },
  });
  const stack = new RatchetExampleStack(app, 'RatchetExample', {
    env: { account: ACCOUNT, region: REGION },
    migrationsDir,
    lambdaCode: lambdaCode.path,
    iamAuth: extra.iamAuth,
  });
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
  return { stack, template, outdir, missingContext: assembly.manifest.missing };
}

function logicalId(stack: Stack, c: { node: { defaultChild?: unknown } } | CfnElement): string {
  const el = c instanceof CfnElement ? c : (c.node.defaultChild as CfnElement);
  return stack.resolve(el.logicalId) as string;
}

function resourceOfType(template: Template, type: string, props: object = {}): [string, any] {
  const found = template.findResources(type, props);
  const keys = Object.keys(found);
  assert.equal(keys.length, 1, `exactly one ${type} matching ${JSON.stringify(props)}, found ${keys.length}`);
  return [keys[0], found[keys[0]]];
}

const migrations = simpleMigrations();
const base = synth(migrations, { validate: true });
const MIGRATION_FN = { Properties: { Runtime: 'provided.al2023' } };

test('synthesis needed no context lookups (the AZs were pre-seeded)', () => {
  assert.equal(base.missingContext, undefined);
  base.template.resourceCountIs('AWS::EC2::NatGateway', 0);
  base.template.resourceCountIs('AWS::EC2::InternetGateway', 0);
  base.template.resourceCountIs('AWS::EC2::Subnet', 2);
});

test('no dependency cycle between the resources', () => {
  assertNoDependencyCycle(base.template.toJSON());
});

test("aws-cdk-lib's built-in CloudFormation validation reports no violations", () => {
  const report = JSON.parse(fs.readFileSync(path.join(base.outdir, 'validation-report.json'), 'utf8'));
  for (const plugin of report.pluginReports) {
    assert.deepEqual(plugin.violations, [], `${plugin.pluginName}: ${JSON.stringify(plugin.violations)}`);
  }
});

test('the migration function: provided.al2023, bootstrap, x86_64, VPC config, timeout <= 840 s', () => {
  const [, fn] = resourceOfType(base.template, 'AWS::Lambda::Function', MIGRATION_FN);
  const p = fn.Properties;
  assert.equal(p.Handler, 'bootstrap');
  assert.deepEqual(p.Architectures, ['x86_64']);
  assert.ok(p.Timeout <= 840, `timeout ${p.Timeout}`);
  assert.equal(p.VpcConfig.SubnetIds.length, 2);
  assert.equal(p.VpcConfig.SecurityGroupIds.length, 1);
  assert.equal(p.Environment.Variables.RATCHET_RESPONSE_MODE, 'provider');
  assert.deepEqual(p.Environment.Variables.DATABASE_SECRET_ARN, { Ref: logicalId(base.stack, base.stack.database.secret!) });
});

test('the custom resource carries the hash, ServiceTimeout and the connection properties (nothing else)', () => {
  const [, res] = resourceOfType(base.template, 'Custom::RatchetMigrations');
  const p = res.Properties;
  assert.deepEqual(Object.keys(p).sort(), [
    'DatabaseHost',
    'DatabaseName',
    'DatabasePort',
    'IamAuth',
    'MigrationsHash',
    'SecretArn',
    'ServiceTimeout',
    'ServiceToken',
  ]);
  assert.equal(p.MigrationsHash, computeMigrationsHash(migrations));
  assert.equal(p.ServiceTimeout, '1200');
  assert.equal(p.DatabaseName, 'blog');
  assert.equal(p.IamAuth, 'false');
  const db = logicalId(base.stack, base.stack.database);
  assert.deepEqual(p.DatabaseHost, { 'Fn::GetAtt': [db, 'Endpoint.Address'] });
  assert.deepEqual(p.DatabasePort, { 'Fn::GetAtt': [db, 'Endpoint.Port'] });
  assert.deepEqual(p.SecretArn, { Ref: logicalId(base.stack, base.stack.database.secret!) });
  // The Provider's framework function answers CloudFormation, not the migration function itself.
  const [frameworkId] = resourceOfType(base.template, 'AWS::Lambda::Function', {
    Properties: { Handler: 'framework.onEvent' },
  });
  assert.deepEqual(p.ServiceToken, { 'Fn::GetAtt': [frameworkId, 'Arn'] });
});

test('the custom resource depends on the database, the Secrets Manager endpoint and the DB ingress rule', () => {
  const [, res] = resourceOfType(base.template, 'Custom::RatchetMigrations');
  const dependsOn: string[] = res.DependsOn;
  const s = base.stack;
  assert.ok(dependsOn.includes(logicalId(s, s.database)), 'database');
  assert.ok(dependsOn.includes(logicalId(s, s.secretsManagerEndpoint)), 'Secrets Manager endpoint');
  // The rule (made through database.connections) lets the migration function's security group reach the port.
  const [, fn] = resourceOfType(base.template, 'AWS::Lambda::Function', MIGRATION_FN);
  const rules = base.template.findResources('AWS::EC2::SecurityGroupIngress', {
    Properties: { SourceSecurityGroupId: fn.Properties.VpcConfig.SecurityGroupIds[0] },
  });
  assert.equal(Object.keys(rules).length, 1);
  const [ruleId, rule] = Object.entries(rules)[0] as [string, any];
  assert.ok(dependsOn.includes(ruleId), 'ingress rule');
  assert.deepEqual(rule.Properties.FromPort, { 'Fn::GetAtt': [logicalId(s, s.database), 'Endpoint.Port'] });
  // The secrets endpoint is an interface endpoint with private DNS.
  base.template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
    ServiceName: `com.amazonaws.${REGION}.secretsmanager`,
    VpcEndpointType: 'Interface',
    PrivateDnsEnabled: true,
  });
});

test('the migration function may read the secret', () => {
  const [, fn] = resourceOfType(base.template, 'AWS::Lambda::Function', MIGRATION_FN);
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  base.template.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: roleId }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
          Resource: { Ref: logicalId(base.stack, base.stack.database.secret!) },
        }),
      ]),
    },
  });
});

test('the application function is created after the custom resource', () => {
  const s = base.stack;
  const app = base.template.toJSON().Resources[logicalId(s, s.appFunction)];
  assert.ok(app.DependsOn.includes(logicalId(s, s.migrations.customResource)));
  assert.equal(app.Properties.Runtime.startsWith('nodejs'), true);
  assert.ok(app.Properties.VpcConfig);
});

test('the code asset holds bootstrap and the migrations; the bundled copy hashes to MigrationsHash', () => {
  const [, fn] = resourceOfType(base.template, 'AWS::Lambda::Function', MIGRATION_FN);
  const assetHash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
  const assetDir = path.join(base.outdir, `asset.${assetHash}`);
  const bootstrap = fs.statSync(path.join(assetDir, 'bootstrap'));
  assert.ok(bootstrap.isFile() && (bootstrap.mode & 0o111) !== 0, 'bootstrap is executable');
  const bundled = path.join(assetDir, 'migrations');
  const [, res] = resourceOfType(base.template, 'Custom::RatchetMigrations');
  // This is what the bootstrap recomputes at run time from the migrations next to it.
  assert.equal(computeMigrationsHash(bundled), res.Properties.MigrationsHash);
  const cli = ratchetHash(bundled);
  if (cli !== undefined) {
    assert.equal(cli, res.Properties.MigrationsHash, '`$RATCHET_BIN hash` of the bundled migrations');
  }
});

test('touching nothing (or only mtimes) keeps the template; changing one migration changes only the hash', () => {
  const again = synth(migrations);
  assert.deepEqual(again.template.toJSON(), base.template.toJSON());

  const sql = path.join(migrations, '20240201000000_posts', 'migration.sql');
  const future = new Date(Date.now() + 86_400_000);
  fs.utimesSync(sql, future, future);
  const touched = synth(migrations);
  assert.deepEqual(touched.template.toJSON(), base.template.toJSON());

  const copy = path.join(tempDir('changed'), 'migrations');
  fs.cpSync(migrations, copy, { recursive: true });
  fs.appendFileSync(path.join(copy, '20240201000000_posts', 'migration.sql'), 'CREATE INDEX "Post_authorId" ON "Post"("authorId");\n');
  const changed = synth(copy);
  const [, before] = resourceOfType(base.template, 'Custom::RatchetMigrations');
  const [, after] = resourceOfType(changed.template, 'Custom::RatchetMigrations');
  assert.notEqual(after.Properties.MigrationsHash, before.Properties.MigrationsHash);
  assert.equal(after.Properties.MigrationsHash, computeMigrationsHash(copy));
  // Every other property is unchanged (no path, no asset fingerprint in the properties).
  const { MigrationsHash: _a, ...restAfter } = after.Properties;
  const { MigrationsHash: _b, ...restBefore } = before.Properties;
  assert.deepEqual(restAfter, restBefore);
});

test('IAM auth variant: rds-db:connect for the DB user, IamAuth/DatabaseUser properties', () => {
  const iam = synth(migrations, { iamAuth: true });
  const [, res] = resourceOfType(iam.template, 'Custom::RatchetMigrations');
  assert.equal(res.Properties.IamAuth, 'true');
  assert.equal(res.Properties.DatabaseUser, 'ratchet_migrator');
  iam.template.hasResourceProperties('AWS::RDS::DBInstance', { EnableIAMDatabaseAuthentication: true });
  const [, fn] = resourceOfType(iam.template, 'AWS::Lambda::Function', MIGRATION_FN);
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  iam.template.hasResourceProperties('AWS::IAM::Policy', {
    Roles: [{ Ref: roleId }],
    PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'rds-db:connect' })]) },
  });
});

test('examples/blog/migrations synthesises and hashes like ratchet (skipped while it does not exist)', (t) => {
  const blog = path.resolve(__dirname, '..', '..', '..', '..', '..', 'blog', 'migrations');
  if (!fs.existsSync(blog)) {
    t.skip(`${blog} does not exist yet`);
    return;
  }
  const s = synth(blog);
  const [, res] = resourceOfType(s.template, 'Custom::RatchetMigrations');
  assert.equal(res.Properties.MigrationsHash, computeMigrationsHash(blog));
  const cli = ratchetHash(blog);
  if (cli !== undefined) {
    assert.equal(cli, res.Properties.MigrationsHash);
  }
});
