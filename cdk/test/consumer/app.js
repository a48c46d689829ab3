// A CDK app outside the repository: the seed's architecture with the installed package, in about ten lines
// (the lines between the markers are the README's example).
const path = require('node:path');
const { App, Stack } = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const lambda = require('aws-cdk-lib/aws-lambda');
const rds = require('aws-cdk-lib/aws-rds');
const { RatchetMigrations } = require('ratchet-migrations-cdk');

const app = new App();
const stack = new Stack(app, 'Consumer');
const architecture = process.env.CONSUMER_ARCH === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64;
// --- example ---
const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'db', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
vpc.addInterfaceEndpoint('Secrets', { service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER });
const db = new rds.DatabaseInstance(stack, 'Db', {
  engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
  vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, databaseName: 'app', storageEncrypted: true,
});
const migrations = new RatchetMigrations(stack, 'Migrations', { database: db, databaseName: 'app', migrations: path.join(__dirname, 'migrations'), architecture });
const api = new lambda.Function(stack, 'Api', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;'), vpc });
db.connections.allowDefaultPortFrom(api);
migrations.applyBefore(api);
// --- end ---
app.synth();
