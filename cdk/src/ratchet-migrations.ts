import * as fs from 'node:fs';
import * as path from 'node:path';
// 'aws-cdk-lib/core' rather than 'aws-cdk-lib': the root re-exports every service module, which triples tsc's time.
import { CfnResource, CustomResource, Duration, Token } from 'aws-cdk-lib/core';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct, IDependable } from 'constructs';
import { stageLambdaAsset } from './lambda-asset';
import { computeMigrationsHash } from './migrations-hash';
import { nonTransactionalMigrations } from './transactional';

/** The longest Lambda timeout behind the CDK Provider framework (its own functions time out after 15 min). */
export const MAX_MIGRATION_TIMEOUT = Duration.minutes(14);

/** A database the construct can derive its connection from. */
export type RatchetDatabase = rds.IDatabaseInstance | rds.IDatabaseCluster | rds.IDatabaseProxy;

export interface RatchetMigrationsProps {
  /** Directory in Prisma's `migrations/` format; bundled into the function under `migrations/`. */
  readonly migrations?: string;
  /** @deprecated use `migrations` */
  readonly migrationsDir?: string;

  /**
   * The database: an instance, a cluster or an RDS Proxy. The construct derives the endpoint, the port, the VPC
   * and the generated secret from it, opens its port to the migration function through `connections`, and the custom
   * resource waits for it. Behind a proxy, migrations that cannot run in a transaction are refused at synth time.
   * @default none: pass `databaseHost`, `vpc` and `secret` (or `iamAuth`) yourself
   */
  readonly database?: RatchetDatabase;
  /** Database name. @default the secret's `dbname`, else `postgres` */
  readonly databaseName?: string;
  /** Schema for `_prisma_migrations` and the migrations. @default the server's default (`public`) */
  readonly schema?: string;
  /**
   * The lint gate (resource property `Lint`, see lambda/README.md "Lint gate"): `'error'` fails the deployment
   * before anything is applied when a pending migration has an error finding against the live database (a
   * `CREATE INDEX` without `CONCURRENTLY` on a populated table, ...); `'warn'` logs the findings and reports them in
   * the resource's `Lint` attribute; `'off'` does not lint. Rules and severities come from `ratchet-lint.json` in the
   * migrations directory. @default 'off'
   */
  readonly lint?: 'off' | 'warn' | 'error';
  /** Secret with the credentials (the RDS secret JSON). @default the database's generated secret (unless `iamAuth`) */
  readonly secret?: secretsmanager.ISecret;
  /** @deprecated use `secret` */
  readonly databaseSecret?: secretsmanager.ISecret;
  /**
   * Connect with an RDS IAM token for `databaseUser` instead of a password; `rds-db:connect` is granted on
   * `database`. The user needs `GRANT rds_iam TO <user>`. @default false
   */
  readonly iamAuth?: boolean;
  /** The database user for `iamAuth`. Required when `iamAuth` is on. */
  readonly databaseUser?: string;
  /** Database host name. @default derived from `database` */
  readonly databaseHost?: string;
  /** Database port (a number or a token). @default derived from `database` (5432 for a proxy) */
  readonly databasePort?: number | string;
  /**
   * @deprecated the port is opened through `database.connections`; without `database`, call
   * `migrations.connections.allowTo(...)` or `yourSecurityGroup.connections.allowFrom(migrations, port)`.
   */
  readonly databaseSecurityGroup?: ec2.ISecurityGroup;

  /** The VPC of the migration function. @default the database's VPC */
  readonly vpc?: ec2.IVpc;
  /** Subnets of the migration function. @default the VPC's default selection (private, else isolated subnets) */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Security groups of the migration function. @default one new group, all outbound traffic allowed */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /** Processor architecture of the migration function. @default lambda.Architecture.ARM_64 */
  readonly architecture?: lambda.Architecture;
  /**
   * ratchet's Lambda code for `architecture`: a `ratchet-lambda.zip` or a directory whose root holds `bootstrap`.
   * @default the zip for `architecture` that this package carries
   */
  readonly lambdaCode?: string;
  /** Timeout of the migration function; at most 14 minutes (the Provider framework's limit). @default 10 minutes */
  readonly timeout?: Duration;
  /**
   * CloudFormation `ServiceTimeout` of the custom resource: how long CloudFormation waits for an answer (1 s to 1 h,
   * at least `timeout`). @default 20 minutes
   */
  readonly serviceTimeout?: Duration;
  /** Memory of the migration function in MB. @default 512 */
  readonly memorySize?: number;
  /**
   * Extra environment for the bootstrap, e.g. `RATCHET_LOCK_TIMEOUT`, `RATCHET_SSLMODE` (see lambda/README.md).
   * `RATCHET_RESPONSE_MODE` and `DATABASE_SECRET_ARN` are set by the construct. @default none
   */
  readonly environment?: Record<string, string>;
  /** Retention of a log group made for the migration function. Not with `logGroup`. @default Lambda's default group, kept forever */
  readonly logRetention?: logs.RetentionDays;
  /** The log group of the migration function. Not with `logRetention`. @default Lambda's default group */
  readonly logGroup?: logs.ILogGroup;

  /** A Secrets Manager interface endpoint the function uses; the custom resource waits for it. @default none */
  readonly secretsManagerEndpoint?: IDependable;
  /** Further resources the custom resource must wait for. @default none */
  readonly dependencies?: IDependable[];
}

interface Endpoint {
  host?: string;
  port?: number | string;
}

function isInstance(db: RatchetDatabase): db is rds.IDatabaseInstance {
  return 'dbInstanceEndpointAddress' in db;
}

function isCluster(db: RatchetDatabase): db is rds.IDatabaseCluster {
  return 'clusterEndpoint' in db;
}

function isProxy(db: RatchetDatabase): db is rds.IDatabaseProxy {
  return 'dbProxyName' in db && 'endpoint' in db;
}

function endpointOf(db: RatchetDatabase | undefined): Endpoint {
  if (!db) {
    return {};
  }
  if (isInstance(db)) {
    return { host: db.dbInstanceEndpointAddress, port: db.dbInstanceEndpointPort };
  }
  if (isCluster(db)) {
    return { host: db.clusterEndpoint.hostname, port: db.clusterEndpoint.port };
  }
  if (isProxy(db)) {
    // RDS Proxy listens on the engine's default port.
    return { host: db.endpoint, port: 5432 };
  }
  return {};
}

/** The package root (one level above the compiled `lib/`). */
const PACKAGE_ROOT = path.resolve(__dirname, '..');

/** The Lambda zip this package carries for `architecture`. */
export function packagedLambdaZip(architecture: lambda.Architecture): string {
  return path.join(PACKAGE_ROOT, 'assets', `ratchet-lambda-${architecture.name}.zip`);
}

/**
 * Runs ratchet (Prisma-format PostgreSQL migrations) as a CloudFormation custom resource behind the CDK Provider
 * framework. Changing any migration changes `MigrationsHash` and re-runs it; nothing else does.
 */
export class RatchetMigrations extends Construct implements ec2.IConnectable {
  /** The custom resource; make application resources depend on it (`applyBefore`). */
  public readonly customResource: CustomResource;
  /** The migration function (ratchet's `bootstrap`). */
  public readonly function: lambda.Function;
  /** The CDK Provider whose framework function answers CloudFormation. */
  public readonly provider: cr.Provider;
  /** The network connections of the migration function. */
  public readonly connections: ec2.Connections;
  /** The migrations hash sent as `MigrationsHash`. */
  public readonly migrationsHash: string;
  /** The migration function's security groups. */
  public readonly securityGroups: ec2.ISecurityGroup[];
  /** The log group made for `logRetention`, or the one passed as `logGroup`. */
  public readonly logGroup?: logs.ILogGroup;
  /** The staged code directory (ratchet's code plus `migrations/`). */
  public readonly assetDirectory: string;
  /** The ingress rules that open the database port to the function (the custom resource waits for them). */
  public readonly ingressRules: ec2.CfnSecurityGroupIngress[] = [];

  constructor(scope: Construct, id: string, props: RatchetMigrationsProps) {
    super(scope, id);

    const migrationsDir = props.migrations ?? props.migrationsDir;
    if (!migrationsDir) {
      throw new Error('RatchetMigrations: migrations (the migrations directory) is required');
    }
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
    if (props.logGroup && props.logRetention !== undefined) {
      throw new Error('RatchetMigrations: give logGroup or logRetention, not both (set the retention on your log group)');
    }

    const db = props.database;
    const endpoint = endpointOf(db);
    const host = props.databaseHost ?? endpoint.host;
    const port = props.databasePort ?? endpoint.port;
    if (host === undefined || port === undefined) {
      throw new Error('RatchetMigrations: pass database (or databaseHost and databasePort)');
    }
    const vpc = props.vpc ?? (db as { vpc?: ec2.IVpc } | undefined)?.vpc;
    if (!vpc) {
      throw new Error('RatchetMigrations: vpc is required when database does not expose its VPC (imported databases)');
    }

    const iamAuth = props.iamAuth ?? false;
    const secret =
      props.secret ??
      props.databaseSecret ??
      (iamAuth ? undefined : (db as { secret?: secretsmanager.ISecret } | undefined)?.secret);
    if (iamAuth) {
      if (!props.databaseUser) {
        throw new Error('RatchetMigrations: iamAuth requires databaseUser');
      }
      if (!db) {
        throw new Error('RatchetMigrations: iamAuth requires database (to grant rds-db:connect)');
      }
    } else if (!secret) {
      throw new Error(
        'RatchetMigrations: no credentials: the database has no generated secret; pass secret, or iamAuth with databaseUser',
      );
    }

    if (db && isProxy(db)) {
      const unsafe = nonTransactionalMigrations(migrationsDir);
      if (unsafe.length > 0) {
        throw new Error(
          `RatchetMigrations: ${unsafe.join(', ')} cannot run in a transaction, which is not safe through an RDS Proxy ` +
            '(statement-by-statement autocommit on a pooled connection). Pass the instance or cluster as database for ' +
            'migrations, or move these statements out of the migrations.',
        );
      }
    }

    const architecture = props.architecture ?? lambda.Architecture.ARM_64;
    const lambdaCode = props.lambdaCode ?? packagedLambdaZip(architecture);
    if (props.lambdaCode === undefined && !fs.existsSync(lambdaCode)) {
      throw new Error(
        `RatchetMigrations: this package carries no ${architecture.name} Lambda zip (${lambdaCode} is missing). ` +
          `Pass architecture: lambda.Architecture.${architecture === lambda.Architecture.ARM_64 ? 'X86_64' : 'ARM_64'}, ` +
          'or lambdaCode with a ratchet-lambda.zip built for this architecture.',
      );
    }
    this.migrationsHash = computeMigrationsHash(migrationsDir);
    this.assetDirectory = stageLambdaAsset(lambdaCode, migrationsDir, architecture.name);

    this.securityGroups = props.securityGroups ?? [
      new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc,
        description: 'ratchet migration Lambda',
        allowAllOutbound: true,
      }),
    ];

    const environment: Record<string, string> = { ...props.environment, RATCHET_RESPONSE_MODE: 'provider' };
    if (secret) {
      environment.DATABASE_SECRET_ARN = secret.secretArn;
    }

    this.logGroup =
      props.logGroup ??
      (props.logRetention !== undefined ? new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention }) : undefined);

    this.function = new lambda.Function(this, 'Function', {
      description: 'ratchet: applies the bundled Prisma-format migrations (CloudFormation custom resource)',
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(this.assetDirectory),
      timeout,
      memorySize: props.memorySize ?? 512,
      vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroups: this.securityGroups,
      environment,
      logGroup: this.logGroup,
    });
    this.connections = this.function.connections;

    if (iamAuth) {
      (db as { grantConnect(grantee: iam.IGrantable, dbUser?: string): iam.Grant }).grantConnect(
        this.function,
        props.databaseUser!,
      );
    }
    if (secret) {
      secret.grantRead(this.function);
    }

    // The database port, opened from the function's security groups through the database's connections.
    const numericPort = Token.isUnresolved(port) ? Token.asNumber(port) : Number(port);
    const ruleScopes: IConstruct[] = [...this.securityGroups];
    const dbConn = db ? (db as Partial<ec2.IConnectable>).connections : undefined;
    if (dbConn) {
      if (dbConn.defaultPort) {
        dbConn.allowDefaultPortFrom(this.function, 'ratchet migration Lambda');
      } else {
        dbConn.allowFrom(this.function, ec2.Port.tcp(numericPort), 'ratchet migration Lambda');
      }
      ruleScopes.push(...dbConn.securityGroups);
    }
    if (props.databaseSecurityGroup) {
      new ec2.Connections({ securityGroups: [props.databaseSecurityGroup] }).allowFrom(
        this.function,
        ec2.Port.tcp(numericPort),
        'ratchet migration Lambda',
      );
      ruleScopes.push(props.databaseSecurityGroup);
    }
    // The rules from this function's groups (CDK puts them under the database's group, or under ours across stacks).
    const ours = new Set(this.securityGroups.map((sg) => sg.securityGroupId));
    for (const scope of ruleScopes) {
      for (const child of scope.node.children) {
        if (child instanceof ec2.CfnSecurityGroupIngress && ours.has(child.sourceSecurityGroupId as string)) {
          this.ingressRules.push(child);
        }
      }
    }

    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
    });

    // Only the hash and the connection settings: a path or an asset fingerprint here would re-run the migrations
    // for changes that are not migrations.
    const properties: Record<string, string> = {
      MigrationsHash: this.migrationsHash,
      DatabaseHost: host,
      // A cluster's port is a number token: render it as the string token, not as the number's digits.
      DatabasePort: typeof port === 'number' ? (Token.isUnresolved(port) ? Token.asString(port) : String(port)) : port,
      IamAuth: iamAuth ? 'true' : 'false',
    };
    if (props.databaseName !== undefined) {
      properties.DatabaseName = props.databaseName;
    }
    if (props.schema !== undefined) {
      properties.Schema = props.schema;
    }
    if (props.lint !== undefined && props.lint !== 'off') {
      if (!['warn', 'error'].includes(props.lint)) {
        throw new Error(`RatchetMigrations: lint must be 'off', 'warn' or 'error', not '${props.lint}'`);
      }
      properties.Lint = props.lint;
    }
    if (secret) {
      properties.SecretArn = secret.secretArn;
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

    // What the first Create needs: the database's resources, our ingress rules, the secret, the endpoint. Not the
    // database construct as a whole: it holds the ingress rules of the application too, and an application that
    // waits for the migrations (applyBefore) would make a cycle through its own rule.
    const deps: IDependable[] = [...this.ingressRules];
    if (db) {
      for (const c of db.node.findAll()) {
        if (CfnResource.isCfnResource(c) && !(c instanceof ec2.CfnSecurityGroupIngress) && !(c instanceof ec2.CfnSecurityGroupEgress)) {
          deps.push(c);
        }
      }
    }
    if (secret) {
      deps.push(secret);
    }
    if (props.secretsManagerEndpoint) {
      deps.push(props.secretsManagerEndpoint);
    }
    deps.push(...(props.dependencies ?? []));
    for (const d of deps) {
      this.customResource.node.addDependency(d);
    }
  }

  /**
   * Makes each of `dependents` (the application function, an ECS service, ...) wait until the migrations have been
   * applied: created and updated only after the custom resource succeeded.
   */
  public applyBefore(...dependents: IConstruct[]): void {
    for (const d of dependents) {
      d.node.addDependency(this.customResource);
    }
  }

  /** `AppliedCount` from the custom resource's response. */
  public get appliedCount(): string {
    return this.customResource.getAttString('AppliedCount');
  }

  /** `LastMigration` from the custom resource's response. */
  public get lastMigration(): string {
    return this.customResource.getAttString('LastMigration');
  }

  /** The execution role of the migration function. */
  public get role(): iam.IRole {
    return this.function.role!;
  }
}
