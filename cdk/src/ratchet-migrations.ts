import * as path from 'node:path';
// 'aws-cdk-lib/core' rather than 'aws-cdk-lib': the root re-exports every service module, which triples tsc's time.
import { CustomResource, Duration, Token } from 'aws-cdk-lib/core';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct, IDependable } from 'constructs';
import { stageLambdaAsset } from './lambda-asset';
import { computeMigrationsHash } from './migrations-hash';

/** The longest Lambda timeout behind the CDK Provider framework (its own functions time out after 15 min). */
export const MAX_MIGRATION_TIMEOUT = Duration.minutes(14);

export interface RatchetMigrationsProps {
  /** The VPC the migration Lambda runs in (it must reach the database and Secrets Manager). */
  readonly vpc: ec2.IVpc;
  /** Subnets for the migration Lambda. @default the VPC's default selection (private subnets) */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Security groups of the migration Lambda. @default one new security group with all outbound traffic allowed */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * The database's security group. When given, the construct adds an ingress rule that lets the Lambda's security
   * groups reach the database port, and the custom resource depends on that rule.
   */
  readonly databaseSecurityGroup?: ec2.ISecurityGroup;

  /**
   * The database construct (instance or cluster). The custom resource depends on it; with IAM auth it is used to
   * grant `rds-db:connect`.
   */
  readonly database?: rds.IDatabaseInstance | rds.IDatabaseCluster;
  /** Database host name (e.g. `instance.dbInstanceEndpointAddress`). */
  readonly databaseHost: string;
  /** Database port (a number, or a token such as `instance.dbInstanceEndpointPort`). */
  readonly databasePort: number | string;
  /** Database name. */
  readonly databaseName: string;
  /** Schema for `_prisma_migrations` and the migrations. @default the server's default (public) */
  readonly schema?: string;
  /** The secret with the credentials (RDS secret JSON). Required unless `iamAuth` is on. */
  readonly databaseSecret?: secretsmanager.ISecret;
  /** Connect with an RDS IAM token instead of the secret's password. @default false */
  readonly iamAuth?: boolean;
  /** The database user for IAM auth (it needs `GRANT rds_iam TO <user>`). Required when `iamAuth` is on. */
  readonly databaseUser?: string;

  /** Directory in Prisma's `migrations/` format; it is bundled into the Lambda code under `migrations/`. */
  readonly migrationsDir: string;
  /**
   * ratchet's Lambda code: `ratchet-lambda.zip` or a directory whose root holds the executable `bootstrap`.
   * @default env RATCHET_LAMBDA_ZIP, else `build/lambda/ratchet-lambda.zip` of the ratchet checkout
   */
  readonly lambdaCode?: string;

  /** Timeout of the migration Lambda; at most 14 minutes (the Provider framework's limit). @default 10 minutes */
  readonly timeout?: Duration;
  /**
   * CloudFormation `ServiceTimeout` of the custom resource: how long CloudFormation waits for an answer before it
   * fails the resource (1 s to 1 h). @default 20 minutes
   */
  readonly serviceTimeout?: Duration;
  /**
   * Extra environment for the bootstrap, e.g. `RATCHET_SSLMODE` / `RATCHET_SSLROOTCERT` or `RATCHET_LOCK_TIMEOUT`
   * (see lambda/README.md). `DATABASE_SECRET_ARN` and `RATCHET_RESPONSE_MODE` are set by the construct.
   */
  readonly environment?: Record<string, string>;
  /** Memory of the migration Lambda in MB. @default 512 */
  readonly memorySize?: number;

  /**
   * The Secrets Manager interface endpoint the Lambda uses; the custom resource depends on it so the first Create
   * cannot race it.
   */
  readonly secretsManagerEndpoint?: IDependable;
  /** Further resources the custom resource must wait for. */
  readonly dependencies?: IDependable[];
}

/**
 * Runs ratchet (Prisma-format PostgreSQL migrations) as a CloudFormation custom resource behind the CDK Provider
 * framework. Changing any migration changes `MigrationsHash` and re-runs it; nothing else does.
 */
export class RatchetMigrations extends Construct {
  /** The custom resource; make application resources depend on it. */
  public readonly customResource: CustomResource;
  /** The migration Lambda (ratchet's `bootstrap`). */
  public readonly function: lambda.Function;
  /** The CDK Provider whose framework function answers CloudFormation. */
  public readonly provider: cr.Provider;
  /** The migrations hash sent as `MigrationsHash`. */
  public readonly migrationsHash: string;
  /** The migration Lambda's security groups. */
  public readonly securityGroups: ec2.ISecurityGroup[];
  /** The ingress rules created on `databaseSecurityGroup` (empty if it was not given). */
  public readonly ingressRules: ec2.CfnSecurityGroupIngress[] = [];
  /** The staged code asset directory (ratchet's code plus `migrations/`). */
  public readonly assetDirectory: string;

  constructor(scope: Construct, id: string, props: RatchetMigrationsProps) {
    super(scope, id);

    const timeout = props.timeout ?? Duration.minutes(10);
    const timeoutSeconds = timeout.toSeconds();
    if (timeoutSeconds < 1 || timeoutSeconds > MAX_MIGRATION_TIMEOUT.toSeconds()) {
      throw new Error(
        `RatchetMigrations: timeout must be between 1 second and 14 minutes (the CDK Provider framework's limit), got ${timeoutSeconds} s`,
      );
    }
    const serviceTimeout = props.serviceTimeout ?? Duration.minutes(20);
    const serviceTimeoutSeconds = serviceTimeout.toSeconds();
    if (serviceTimeoutSeconds < 1 || serviceTimeoutSeconds > 3600) {
      throw new Error(`RatchetMigrations: serviceTimeout must be between 1 second and 1 hour, got ${serviceTimeoutSeconds} s`);
    }
    if (serviceTimeoutSeconds < timeoutSeconds) {
      throw new Error(
        `RatchetMigrations: serviceTimeout (${serviceTimeoutSeconds} s) is shorter than the Lambda timeout (${timeoutSeconds} s); ` +
          'CloudFormation would give up while a migration still runs',
      );
    }
    const iamAuth = props.iamAuth ?? false;
    if (iamAuth) {
      if (!props.databaseUser) {
        throw new Error('RatchetMigrations: iamAuth requires databaseUser');
      }
      if (!props.database) {
        throw new Error('RatchetMigrations: iamAuth requires database (to grant rds-db:connect)');
      }
    } else if (!props.databaseSecret) {
      throw new Error('RatchetMigrations: databaseSecret is required unless iamAuth is on');
    }

    this.migrationsHash = computeMigrationsHash(props.migrationsDir);
    const lambdaCode =
      props.lambdaCode ??
      process.env.RATCHET_LAMBDA_ZIP ??
      path.resolve(__dirname, '..', '..', '..', '..', 'build', 'lambda', 'ratchet-lambda.zip');
    this.assetDirectory = stageLambdaAsset(lambdaCode, props.migrationsDir);

    this.securityGroups = props.securityGroups ?? [
      new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: 'ratchet migration Lambda',
        allowAllOutbound: true,
      }),
    ];

    const environment: Record<string, string> = { ...props.environment, RATCHET_RESPONSE_MODE: 'provider' };
    if (props.databaseSecret) {
      environment.DATABASE_SECRET_ARN = props.databaseSecret.secretArn;
    }

    this.function = new lambda.Function(this, 'Function', {
      description: 'ratchet: applies the bundled Prisma-format migrations (CloudFormation custom resource)',
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.X86_64,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(this.assetDirectory),
      timeout,
      memorySize: props.memorySize ?? 512,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: this.securityGroups,
      environment,
    });

    if (iamAuth) {
      props.database!.grantConnect(this.function, props.databaseUser!);
    } else {
      props.databaseSecret!.grantRead(this.function);
    }

    if (props.databaseSecurityGroup) {
      const port = Token.isUnresolved(props.databasePort)
        ? Token.asNumber(props.databasePort)
        : Number(props.databasePort);
      this.securityGroups.forEach((sg, i) => {
        this.ingressRules.push(
          new ec2.CfnSecurityGroupIngress(this, i === 0 ? 'DatabaseIngress' : `DatabaseIngress${i}`, {
            groupId: props.databaseSecurityGroup!.securityGroupId,
            sourceSecurityGroupId: sg.securityGroupId,
            ipProtocol: 'tcp',
            fromPort: port,
            toPort: port,
            description: 'ratchet migration Lambda to the database',
          }),
        );
      });
    }

    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
    });

    // Only the hash and the connection settings: a path or an asset fingerprint here would re-run the migrations
    // for changes that are not migrations.
    const properties: Record<string, string> = {
      MigrationsHash: this.migrationsHash,
      DatabaseHost: props.databaseHost,
      DatabasePort: typeof props.databasePort === 'number' ? String(props.databasePort) : props.databasePort,
      DatabaseName: props.databaseName,
      IamAuth: iamAuth ? 'true' : 'false',
    };
    if (props.schema !== undefined) {
      properties.Schema = props.schema;
    }
    if (props.databaseSecret) {
      properties.SecretArn = props.databaseSecret.secretArn;
    }
    if (iamAuth) {
      properties.DatabaseUser = props.databaseUser!;
    }

    this.customResource = new CustomResource(this, 'Resource', {
      serviceToken: this.provider.serviceToken,
      resourceType: 'Custom::RatchetMigrations',
      serviceTimeout,
      properties,
    });

    const deps: IDependable[] = [];
    if (props.database) {
      deps.push(props.database);
    }
    if (props.databaseSecret) {
      deps.push(props.databaseSecret);
    }
    if (props.secretsManagerEndpoint) {
      deps.push(props.secretsManagerEndpoint);
    }
    deps.push(...this.ingressRules);
    deps.push(...(props.dependencies ?? []));
    for (const d of deps) {
      this.customResource.node.addDependency(d);
    }
  }

  /** Makes `dependent` (e.g. an application function) wait until the migrations have been applied. */
  public applyBefore(dependent: IConstruct): void {
    dependent.node.addDependency(this.customResource);
  }

  /** `AppliedCount` from the custom resource's response. */
  public get appliedCount(): string {
    return this.customResource.getAttString('AppliedCount');
  }

  /** `LastMigration` from the custom resource's response. */
  public get lastMigration(): string {
    return this.customResource.getAttString('LastMigration');
  }

  /** The execution role of the migration Lambda. */
  public get role(): iam.IRole {
    return this.function.role!;
  }
}
