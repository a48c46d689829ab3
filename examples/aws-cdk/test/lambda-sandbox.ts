// One Lambda execution environment for tests: a Lambda Runtime API server on loopback (the contract of
// /work/shared/docs/lambda-cloudformation.md §1) and ratchet's real `bootstrap`, started from a code directory the way
// Lambda starts a `provided.al2023` function (cwd and LAMBDA_TASK_ROOT = the code, the function's environment).
import { ChildProcess, spawn } from 'node:child_process';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

/** What the function posted for one invoke: the raw body, as Lambda would hand it to the invoker. */
export interface InvokeOutcome {
  kind: 'response' | 'error' | 'exited';
  /** The exact bytes posted to /response or /error (for 'exited': a description of the crash). */
  body: string;
  /** Lambda-Runtime-Function-Error-Type, when the function sent one. */
  errorType?: string;
}

interface Pending {
  id: string;
  payload: string;
}

export interface SandboxOptions {
  /** The code directory (the staged asset); `bootstrap` at its root. */
  codeDir: string;
  /** The function's ARN, sent as Lambda-Runtime-Invoked-Function-Arn. */
  functionArn: string;
  /** The function's environment (as configured on the function). */
  environment: Record<string, string>;
  /** The invoke's time budget, sent as Lambda-Runtime-Deadline-Ms. @default 60 s */
  timeoutMs?: number;
}

export class LambdaSandbox {
  private server?: http.Server;
  private child?: ChildProcess;
  private readonly queue: Pending[] = [];
  private readonly waitingNext: http.ServerResponse[] = [];
  private readonly outcomes = new Map<string, (o: InvokeOutcome) => void>();
  private readonly answered = new Set<string>();
  private counter = 0;
  /** Everything the bootstrap wrote to stdout/stderr (its CloudWatch log). */
  public log = '';

  constructor(private readonly options: SandboxOptions) {}

  public async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    const port = (this.server.address() as AddressInfo).port;
    const name = this.options.functionArn.split(':')[6];
    this.child = spawn(`${this.options.codeDir}/bootstrap`, [], {
      cwd: this.options.codeDir,
      env: {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        LANG: 'C.UTF-8',
        TZ: ':UTC',
        AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
        LAMBDA_TASK_ROOT: this.options.codeDir,
        _HANDLER: 'bootstrap',
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        AWS_SESSION_TOKEN: 'session-token-example',
        AWS_LAMBDA_FUNCTION_NAME: name,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
        ...this.options.environment,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (c) => (this.log += c));
    this.child.stderr!.on('data', (c) => (this.log += c));
    // The bootstrap never exits on its own (it long-polls /next): an exit while an invoke is in flight is a crash,
    // reported the way Lambda reports Runtime.ExitError.
    this.child.on('exit', (code, signal) => {
      for (const [, done] of this.outcomes) {
        done({ kind: 'exited', body: `Runtime exited (code ${code}, signal ${signal})\n${this.log}` });
      }
      this.outcomes.clear();
    });
  }

  /** Invokes the function synchronously with `payload` (the exact event bytes) and returns what it posted. */
  public invoke(payload: string): Promise<InvokeOutcome> {
    const id = `8f5a${String(++this.counter).padStart(4, '0')}-0000-4000-8000-000000000000`;
    const p = new Promise<InvokeOutcome>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to invoke ${id}; function log:\n${this.log}`)),
        (this.options.timeoutMs ?? 60_000) + 30_000,
      );
      this.outcomes.set(id, (o) => {
        clearTimeout(timer);
        this.outcomes.delete(id);
        resolve(o);
      });
    });
    const item = { id, payload };
    const waiting = this.waitingNext.shift();
    if (waiting) {
      this.deliver(waiting, item);
    } else {
      this.queue.push(item);
    }
    return p;
  }

  public async stop(): Promise<void> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((r) => this.child!.once('exit', () => r()));
      this.child.kill('SIGKILL');
      await exited;
    }
    for (const res of this.waitingNext.splice(0)) {
      res.destroy();
    }
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((r) => this.server!.close(() => r()));
      this.server = undefined;
    }
  }

  private deliver(res: http.ServerResponse, item: Pending): void {
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': item.id,
      'Lambda-Runtime-Deadline-Ms': String(Date.now() + (this.options.timeoutMs ?? 60_000)),
      'Lambda-Runtime-Invoked-Function-Arn': this.options.functionArn,
      'Lambda-Runtime-Trace-Id': 'Root=1-00000000-000000000000000000000000;Sampled=0',
    });
    res.end(item.payload);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      const item = this.queue.shift();
      if (item) {
        this.deliver(res, item);
      } else {
        this.waitingNext.push(res);
      }
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      if (req.method !== 'POST' || !m) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end('{"errorMessage":"not found","errorType":"InvalidRequest"}');
        return;
      }
      const [, id, kind] = m;
      const done = this.outcomes.get(id);
      if (!done || this.answered.has(id)) {
        // As the real service (and the Runtime Interface Emulator): a second answer is an invalid state transition.
        res.writeHead(403, { 'Content-Type': 'application/json' });
        res.end('{"errorMessage":"invalid state transition","errorType":"InvalidStateTransition"}');
        return;
      }
      this.answered.add(id);
      res.writeHead(202, { 'Content-Type': 'application/json' });
      res.end('{"status":"OK"}');
      const errorType = req.headers['lambda-runtime-function-error-type'];
      done({
        kind: kind as 'response' | 'error',
        body: Buffer.concat(chunks).toString('utf8'),
        errorType: typeof errorType === 'string' ? errorType : undefined,
      });
    });
  }
}
