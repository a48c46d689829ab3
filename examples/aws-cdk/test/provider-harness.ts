// CloudFormation's side of a custom resource, offline, with the real code in the middle:
//
//   this harness (CloudFormation)  -> aws-cdk-lib's provider-framework `onEvent` (node_modules, unmodified)
//     -> its Lambda invoke, routed by a stand-in for @aws-sdk/client-lambda to a LambdaSandbox
//        (a loopback Runtime API + ratchet's real `bootstrap` started from the staged asset in cdk.out)
//     -> the framework's own HTTPS PUT of the response, received by a loopback HTTPS server with a test CA.
//
// Only the AWS SDK client is replaced (it is not installed: the Lambda runtime provides it); framework.js,
// cfn-response.js, outbound.js (including its https PUT) and util.js run as shipped in aws-cdk-lib.
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import Module from 'node:module';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { LambdaSandbox } from './lambda-sandbox';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

export function lambdaArn(name: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
}

/** The provider-framework runtime directory of the installed aws-cdk-lib. */
export function frameworkRuntimeDir(): string {
  const root = path.dirname(require.resolve('aws-cdk-lib'));
  return path.join(root, 'custom-resources', 'lib', 'provider-framework', 'runtime');
}

// --- a test CA and a server certificate for 127.0.0.1, made with openssl ---

export interface TestCa {
  caFile: string;
  key: string;
  cert: string;
}

export function makeTestCa(dir: string): TestCa {
  const f = (n: string) => path.join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ratchet test CA',
    '-keyout', f('ca.key'), '-out', f('ca.pem')]);
  fs.writeFileSync(f('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' +
    'keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'),
    '-out', f('server.csr')]);
  run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', f('server.ext'), '-out', f('server.pem')]);
  return {
    caFile: f('ca.pem'),
    key: fs.readFileSync(f('server.key'), 'utf8'),
    cert: fs.readFileSync(f('server.pem'), 'utf8'),
  };
}

// --- the pre-signed S3 ResponseURL: an HTTPS server that records every request ---

export interface CapturedPut {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The exact body bytes. */
  body: Buffer;
}

export class ResponseRecorder {
  private server?: https.Server;
  public port = 0;
  public readonly requests: CapturedPut[] = [];

  constructor(private readonly ca: TestCa) {}

  public async start(): Promise<void> {
    this.server = https.createServer({ key: this.ca.key, cert: this.ca.cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        // S3 answers a pre-signed PUT with 200 and an empty body.
        res.writeHead(200, { 'Content-Length': '0' });
        res.end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** A ResponseURL in the shape CloudFormation sends (pre-signed, with a query string). */
  public responseUrl(requestId: string): string {
    return (
      `https://127.0.0.1:${this.port}/arn%3Aaws%3Acloudformation%3A${REGION}%3A${ACCOUNT}%3Astack/RatchetHarness/` +
      `${requestId}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261202T000000Z&X-Amz-SignedHeaders=host` +
      `&X-Amz-Expires=7199&X-Amz-Credential=AKIDEXAMPLE%2F20261202%2F${REGION}%2Fs3%2Faws4_request` +
      `&X-Amz-Signature=${'0'.repeat(64)}`
    );
  }

  /** The requests whose path is that of `responseUrl(requestId)`. */
  public for(requestId: string): CapturedPut[] {
    return this.requests.filter((r) => r.url.split('?')[0].endsWith(`/${requestId}`));
  }

  public async stop(): Promise<void> {
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((r) => this.server!.close(() => r()));
    }
  }
}

// --- Lambda: the functions CloudFormation's stack has deployed, by ARN ---

/** The deployed functions: ARN -> the sandbox running its current code. */
export const deployedFunctions = new Map<string, LambdaSandbox>();

interface InvokeRequest {
  FunctionName: string;
  Payload: string | Uint8Array;
  InvocationType?: string;
}

/** Stands in for @aws-sdk/client-lambda's `Lambda.invoke` (synchronous RequestResponse invoke). */
async function invokeDeployed(req: InvokeRequest) {
  const sandbox = deployedFunctions.get(req.FunctionName);
  if (!sandbox) {
    // What Lambda answers for an unknown function.
    const e = new Error(`Function not found: ${req.FunctionName}`);
    e.name = 'ResourceNotFoundException';
    throw e;
  }
  const payload = typeof req.Payload === 'string' ? req.Payload : Buffer.from(req.Payload).toString('utf8');
  const outcome = await sandbox.invoke(payload);
  const base = { $metadata: { httpStatusCode: 200 }, StatusCode: 200, ExecutedVersion: '$LATEST' };
  switch (outcome.kind) {
    case 'response':
      return { ...base, Payload: new Uint8Array(Buffer.from(outcome.body, 'utf8')) };
    case 'error':
      return { ...base, FunctionError: 'Unhandled', Payload: new Uint8Array(Buffer.from(outcome.body, 'utf8')) };
    default: {
      // A crash: Lambda reports Runtime.ExitError as the function's error.
      const body = JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited with error' });
      return { ...base, FunctionError: 'Unhandled', Payload: new Uint8Array(Buffer.from(body)) };
    }
  }
}

export interface Framework {
  onEvent(event: object): Promise<void>;
  /** Every line the framework logged (console.log), for checks that nothing secret is logged. */
  log: string[];
}

let framework: Framework | undefined;

/**
 * Loads the provider framework's `onEvent` from aws-cdk-lib (unmodified). `@aws-sdk/client-lambda` and
 * `@aws-sdk/client-sfn` (provided by the Lambda Node.js runtime, not installed here) resolve to stand-ins that route
 * invokes to `deployedFunctions`; the framework's HTTPS PUT goes to `recorder` (port and test CA through the global
 * HTTPS agent, because the framework passes only the host name of the ResponseURL).
 */
export function loadFramework(recorder: ResponseRecorder, ca: TestCa, stubDir: string): Framework {
  if (framework) {
    return framework;
  }
  const stubs: Record<string, string> = {
    '@aws-sdk/client-lambda': path.join(stubDir, 'client-lambda.js'),
    '@aws-sdk/client-sfn': path.join(stubDir, 'client-sfn.js'),
  };
  (globalThis as any).__ratchetHarness = {
    invoke: invokeDeployed,
  };
  fs.writeFileSync(
    stubs['@aws-sdk/client-lambda'],
    'class Lambda { constructor(config) { this.config = config; } invoke(req) { return globalThis.__ratchetHarness.invoke(req); } }\n' +
      'async function waitUntilFunctionActiveV2() { return { state: "SUCCESS" }; }\n' +
      'module.exports = { Lambda, waitUntilFunctionActiveV2 };\n',
  );
  fs.writeFileSync(
    stubs['@aws-sdk/client-sfn'],
    'class SFN { startExecution() { throw new Error("no Step Functions in this harness (isComplete is not used)"); } }\n' +
      'module.exports = { SFN };\n',
  );
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const resolve = M._resolveFilename;
  M._resolveFilename = function (request: string, ...rest: unknown[]) {
    return stubs[request] ?? resolve.call(this, request, ...rest);
  };
  https.globalAgent.options.ca = fs.readFileSync(ca.caFile, 'utf8');
  (https.globalAgent as unknown as { defaultPort: number }).defaultPort = recorder.port;

  const log: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(frameworkRuntimeDir(), 'framework.js'));
  framework = {
    log,
    onEvent: async (event: object) => {
      const original = console.log;
      console.log = (...args: unknown[]) => log.push(args.map(String).join(' '));
      try {
        await mod.onEvent(event);
      } finally {
        console.log = original;
      }
    },
  };
  return framework;
}

// --- the synthesized template: CloudFormation's view of the stack ---

export interface SynthesizedStack {
  outdir: string;
  template: any;
  /** Logical IDs. */
  migrationFunction: string;
  frameworkFunction: string;
  customResource: string;
  /** The staged asset directory of the migration function in cdk.out. */
  migrationAssetDir: string;
  /** The staged asset directory of the framework function in cdk.out. */
  frameworkAssetDir: string;
}

function logicalIdOf(template: any, pred: (r: any) => boolean, what: string): string {
  const ids = Object.keys(template.Resources).filter((id) => pred(template.Resources[id]));
  if (ids.length !== 1) {
    throw new Error(`expected one ${what} in the template, found ${ids.length}`);
  }
  return ids[0];
}

function assetDirOf(outdir: string, fn: any): string {
  const key = fn.Properties.Code.S3Key as string;
  const dir = path.join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
  if (!fs.statSync(dir).isDirectory()) {
    throw new Error(`asset directory ${dir} missing`);
  }
  return dir;
}

/** Reads the template of `stackName` from a synthesized cloud assembly. */
export function readSynthesized(outdir: string, stackName: string): SynthesizedStack {
  const template = JSON.parse(fs.readFileSync(path.join(outdir, `${stackName}.template.json`), 'utf8'));
  const migrationFunction = logicalIdOf(
    template,
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'bootstrap',
    'migration function',
  );
  const frameworkFunction = logicalIdOf(
    template,
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'framework.onEvent',
    'provider framework function',
  );
  const customResource = logicalIdOf(template, (r) => r.Type === 'Custom::RatchetMigrations', 'custom resource');
  return {
    outdir,
    template,
    migrationFunction,
    frameworkFunction,
    customResource,
    migrationAssetDir: assetDirOf(outdir, template.Resources[migrationFunction]),
    frameworkAssetDir: assetDirOf(outdir, template.Resources[frameworkFunction]),
  };
}

/**
 * Resolves the intrinsics CloudFormation would resolve, the way a deployed stack would: a function's ARN for
 * `Fn::GetAtt [X, Arn]`, an ARN-like name for `Ref`. Everything else must already be a literal.
 */
export function resolveIntrinsics(value: any, template: any): any {
  if (Array.isArray(value)) {
    return value.map((v) => resolveIntrinsics(v, template));
  }
  if (value && typeof value === 'object') {
    if ('Ref' in value) {
      const r = template.Resources[value.Ref];
      if (r?.Type === 'AWS::SecretsManager::Secret' || r?.Type === 'AWS::SecretsManager::SecretTargetAttachment') {
        return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${value.Ref}-AbCdEf`;
      }
      return `${value.Ref}-physical`;
    }
    if ('Fn::GetAtt' in value) {
      const [id, attr] = value['Fn::GetAtt'];
      if (attr === 'Arn' && template.Resources[id]?.Type === 'AWS::Lambda::Function') {
        return lambdaArn(id);
      }
      throw new Error(`cannot resolve Fn::GetAtt ${id}.${attr}`);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveIntrinsics(v, template)]));
  }
  return value;
}

/** The function's environment variables from the template, resolved. */
export function functionEnvironment(stack: SynthesizedStack, logicalId: string): Record<string, string> {
  const vars = stack.template.Resources[logicalId].Properties.Environment?.Variables ?? {};
  return resolveIntrinsics(vars, stack.template);
}

/** The custom resource's properties as CloudFormation sends them (all scalars are strings). */
export function resourceProperties(stack: SynthesizedStack): Record<string, string> {
  const props = resolveIntrinsics(stack.template.Resources[stack.customResource].Properties, stack.template);
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, String(v)]));
}

export function newRequestId(): string {
  return crypto.randomUUID();
}

// --- PostgreSQL: scratch databases through psql ---

export function adminUrl(): string | undefined {
  return process.env.RATCHET_TEST_ADMIN_URL;
}

export function psql(url: string, sql: string): string {
  return execFileSync('psql', ['-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

export function databaseUrl(admin: string, db: string, password?: string): string {
  const u = new URL(admin);
  u.pathname = `/${db}`;
  if (password !== undefined) {
    u.password = password;
  }
  return u.toString();
}

export function createScratchDatabase(admin: string, tag: string): string {
  const db = `ratchet_cdk_${tag}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  psql(admin, `CREATE DATABASE ${db}`);
  return db;
}

export function dropScratchDatabase(admin: string, db: string): void {
  psql(admin, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
}
