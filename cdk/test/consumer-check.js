#!/usr/bin/env node
// Checks the template a fresh app synthesized with the installed package (test/consumer/app.js).
//   consumer-check.js <template.json> <migrations dir> [x86_64|arm64]
// The migrations hash is recomputed here from its definition (migrations-format.md) and, when RATCHET_BIN is set,
// by `ratchet hash --dir`; it is never taken from the package under test.
'use strict';
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const [templateFile, migrationsDir, arch = 'x86_64'] = process.argv.slice(2);
const template = JSON.parse(fs.readFileSync(templateFile, 'utf8'));
const outdir = path.dirname(templateFile);
const resources = Object.entries(template.Resources);
const ofType = (type, pred = () => true) => resources.filter(([, r]) => r.Type === type && pred(r));
const one = (list, what) => {
  assert.equal(list.length, 1, `exactly one ${what}, found ${list.length}`);
  return list[0];
};
const getAtt = (v) => v && v['Fn::GetAtt'];

// 1. The migration function: native runtime, the architecture asked for, ratchet's code with the migrations.
const [fnId, fn] = one(ofType('AWS::Lambda::Function', (r) => r.Properties.Handler === 'bootstrap'), 'migration function');
assert.equal(fn.Properties.Runtime, 'provided.al2023');
assert.deepEqual(fn.Properties.Architectures, [arch]);
assert.equal(fn.Properties.Environment.Variables.RATCHET_RESPONSE_MODE, 'provider');
const asset = path.join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`);
for (const f of ['bootstrap', 'migrations/20240101000000_init/migration.sql', 'certs/rds-global-bundle.pem']) {
  assert.ok(fs.existsSync(path.join(asset, f)), `the function's asset has ${f}`);
}
assert.ok((fs.statSync(path.join(asset, 'bootstrap')).mode & 0o111) !== 0, 'bootstrap is executable');

// 2. The custom resource: hash, database, secret, service timeout.
const [crId, cr] = one(ofType('Custom::RatchetMigrations'), 'Custom::RatchetMigrations');
const [dbId] = one(ofType('AWS::RDS::DBInstance'), 'database');
const h = crypto.createHash('sha256');
for (const name of fs
  .readdirSync(migrationsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
  const sql = fs.readFileSync(path.join(migrationsDir, name, 'migration.sql'));
  h.update(`${name}\n${crypto.createHash('sha256').update(sql.toString('utf8'), 'utf8').digest('hex')}\n`);
}
const expectedHash = h.digest('hex');
assert.equal(cr.Properties.MigrationsHash, expectedHash, 'MigrationsHash as defined in migrations-format.md');
if (process.env.RATCHET_BIN) {
  const byRatchet = execFileSync(process.env.RATCHET_BIN, ['hash', '--dir', migrationsDir], { encoding: 'utf8' }).trim();
  assert.equal(cr.Properties.MigrationsHash, byRatchet, '= ratchet hash');
}
assert.deepEqual(getAtt(cr.Properties.DatabaseHost), [dbId, 'Endpoint.Address']);
assert.deepEqual(getAtt(cr.Properties.DatabasePort), [dbId, 'Endpoint.Port']);
assert.equal(cr.Properties.DatabaseName, 'app');
assert.equal(cr.Properties.IamAuth, 'false');
assert.equal(cr.Properties.ServiceTimeout, '1200');
const [secretAttachmentId] = one(ofType('AWS::SecretsManager::SecretTargetAttachment'), 'secret attachment');
assert.deepEqual(cr.Properties.SecretArn, { Ref: secretAttachmentId });
assert.deepEqual(getAtt(cr.Properties.ServiceToken)[1], 'Arn');

// 3. The ingress rule: the function's security group to the database's port; the custom resource waits for it.
const fnSg = fn.Properties.VpcConfig.SecurityGroupIds;
assert.equal(fnSg.length, 1);
const [dbSgId] = one(
  ofType('AWS::EC2::SecurityGroup', (r) => /Db/.test(JSON.stringify(r.Properties.GroupDescription))),
  'database security group',
);
const [ruleId, rule] = one(
  ofType('AWS::EC2::SecurityGroupIngress', (r) => JSON.stringify(r.Properties.SourceSecurityGroupId) === JSON.stringify(fnSg[0])),
  'ingress rule from the migration function',
);
assert.deepEqual(getAtt(rule.Properties.GroupId), [dbSgId, 'GroupId']);
assert.deepEqual(getAtt(rule.Properties.FromPort), [dbId, 'Endpoint.Port']);
assert.equal(rule.Properties.IpProtocol, 'tcp');
for (const dep of [ruleId, dbId, secretAttachmentId]) {
  assert.ok(cr.DependsOn.includes(dep), `the custom resource depends on ${dep}`);
}

// 4. The secret grant: the function's role may read the database's secret.
const roleId = fn.Properties.Role['Fn::GetAtt'][0];
const policy = ofType('AWS::IAM::Policy', (r) => r.Properties.Roles.some((x) => x.Ref === roleId));
assert.ok(
  policy.some(([, p]) =>
    p.Properties.PolicyDocument.Statement.some(
      (s) =>
        JSON.stringify(s.Action) === JSON.stringify(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']) &&
        JSON.stringify(s.Resource) === JSON.stringify({ Ref: secretAttachmentId }),
    ),
  ),
  'secretsmanager:GetSecretValue on the database secret',
);

// 5. The application function is created (and updated) only after the custom resource.
const [, api] = one(ofType('AWS::Lambda::Function', (r) => r.Properties.Runtime?.startsWith('nodejs') && r.Properties.Handler === 'index.handler'), 'app function');
assert.ok(api.DependsOn.includes(crId), 'the app function depends on the custom resource');

// 6. No dependency cycle (CloudFormation would reject the stack; synth does not).
const edges = new Map();
const refs = (v, out) => {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v && typeof v === 'object') {
    if (typeof v.Ref === 'string' && template.Resources[v.Ref]) out.add(v.Ref);
    if (Array.isArray(v['Fn::GetAtt']) && template.Resources[v['Fn::GetAtt'][0]]) out.add(v['Fn::GetAtt'][0]);
    Object.values(v).forEach((x) => refs(x, out));
  }
};
for (const [id, r] of resources) {
  const out = new Set([].concat(r.DependsOn ?? []));
  refs(r.Properties, out);
  edges.set(id, out);
}
const state = new Map();
const visit = (id, trail) => {
  if (state.get(id) === 2) return;
  assert.notEqual(state.get(id), 1, `dependency cycle: ${[...trail, id].join(' -> ')}`);
  state.set(id, 1);
  for (const d of edges.get(id)) visit(d, [...trail, id]);
  state.set(id, 2);
};
for (const [id] of resources) visit(id, []);

console.log(
  `   template OK (${arch}): ${fnId} provided.al2023, ${crId} MigrationsHash ${expectedHash.slice(0, 12)}..., ingress ${ruleId}, ` +
    'secret grant, app function after the custom resource',
);
