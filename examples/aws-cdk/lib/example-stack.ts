import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib/core';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { RatchetMigrations } from './ratchet-migrations';

export interface RatchetExampleStackProps extends StackProps {
  /** The migrations directory (Prisma format). The app uses ../blog/migrations. */
  readonly migrationsDir: string;
  /** ratchet-lambda.zip or a directory with `bootstrap`. @default see RatchetMigrationsProps.lambdaCode */
  readonly lambdaCode?: string;
  /** Architecture of the migration function; must match `lambdaCode`. @default x86_64 (what a ratchet build makes) */
  readonly architecture?: lambda.Architecture;
  /** Connect with RDS IAM auth as `iamUser` instead of the generated secret's password. @default false */
  readonly iamAuth?: boolean;
  /** The IAM database user. @default 'ratchet_migrator' */
  readonly iamUser?: string;
}

/**
 * Isolated VPC (no NAT, no internet), RDS PostgreSQL with a generated secret, a Secrets Manager interface endpoint,
 * ratchet's migrations as a custom resource and an application Lambda that is created/updated only after them.
 */
export class RatchetExampleStack extends Stack {
  public readonly vpc: ec2.Vpc;
  public readonly database: rds.DatabaseInstance;
  public readonly secretsManagerEndpoint: ec2.InterfaceVpcEndpoint;
  public readonly migrations: RatchetMigrations;
  public readonly appFunction: lambda.Function;

  constructor(scope: Construct, id: string, props: RatchetExampleStackProps) {
    super(scope, id, props);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    });
    const isolated: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

    // The Lambdas have no route to the internet; Secrets Manager is reached through this endpoint (private DNS
    // keeps the regional host name). It accepts HTTPS from the whole VPC (open: true, the default).
    this.secretsManagerEndpoint = this.vpc.addInterfaceEndpoint('SecretsManagerEndpoint', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      privateDnsEnabled: true,
      subnets: isolated,
    });

    const dbSecurityGroup = new ec2.SecurityGroup(this, 'DatabaseSecurityGroup', {
      vpc: this.vpc,
      description: 'PostgreSQL',
      allowAllOutbound: false,
    });

    this.database = new rds.DatabaseInstance(this, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
      vpc: this.vpc,
      vpcSubnets: isolated,
      securityGroups: [dbSecurityGroup],
      credentials: rds.Credentials.fromGeneratedSecret('ratchet_admin'),
      databaseName: 'blog',
      port: 5432,
      allocatedStorage: 20,
      storageEncrypted: true,
      iamAuthentication: props.iamAuth ?? false,
      multiAz: false,
      // An example: deleting the stack deletes the database. Use SNAPSHOT/RETAIN and deletion protection for real data.
      removalPolicy: RemovalPolicy.DESTROY,
      deletionProtection: false,
    });

    // Endpoint, port, VPC, the generated secret and the ingress rule all come from `database`.
    this.migrations = new RatchetMigrations(this, 'Migrations', {
      database: this.database,
      databaseName: 'blog',
      migrations: props.migrationsDir,
      vpcSubnets: isolated,
      iamAuth: props.iamAuth,
      databaseUser: props.iamAuth ? (props.iamUser ?? 'ratchet_migrator') : undefined,
      lambdaCode: props.lambdaCode,
      architecture: props.architecture ?? lambda.Architecture.X86_64,
      timeout: Duration.minutes(10),
      serviceTimeout: Duration.minutes(20),
      logRetention: logs.RetentionDays.ONE_MONTH,
      secretsManagerEndpoint: this.secretsManagerEndpoint,
    });

    // The application. A placeholder handler: a real one would use a PostgreSQL client with the same secret.
    const appSecurityGroup = new ec2.SecurityGroup(this, 'AppSecurityGroup', {
      vpc: this.vpc,
      description: 'application Lambda',
      allowAllOutbound: true,
    });
    this.appFunction = new lambda.Function(this, 'AppFunction', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(
        'exports.handler = async () => ({ migrationsHash: process.env.MIGRATIONS_HASH, secret: process.env.DATABASE_SECRET_ARN });',
      ),
      timeout: Duration.seconds(30),
      vpc: this.vpc,
      vpcSubnets: isolated,
      securityGroups: [appSecurityGroup],
      environment: {
        DATABASE_SECRET_ARN: this.database.secret!.secretArn,
        MIGRATIONS_HASH: this.migrations.migrationsHash,
      },
    });
    this.database.secret!.grantRead(this.appFunction);
    this.database.connections.allowDefaultPortFrom(this.appFunction, 'application Lambda to the database');
    // Created (and updated) only after the migrations have been applied.
    this.migrations.applyBefore(this.appFunction);

    new CfnOutput(this, 'LastMigration', { value: this.migrations.lastMigration });
    new CfnOutput(this, 'AppFunctionName', { value: this.appFunction.functionName });
  }
}
