// A minimal Node Lambda runtime client (stands in for the managed Node 20 runtime's
// /var/runtime/index.mjs): GET /next, call the handler, POST its result or error.
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const base = '/2018-06-01/runtime';
const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
const [file, fn] = (process.env._HANDLER || 'handler.handler').split('.');

function request(method, urlPath, body) {
  const [host, port] = api.split(':');
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request(
      { host, port, method, path: urlPath, agent: false,
        headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const mod = await import(pathToFileURL(path.join(root, `${file}.mjs`)).href);
for (;;) {
  const next = await request('GET', `${base}/invocation/next`);
  const id = next.headers['lambda-runtime-aws-request-id'];
  const context = {
    awsRequestId: id,
    invokedFunctionArn: next.headers['lambda-runtime-invoked-function-arn'],
    deadlineMs: Number(next.headers['lambda-runtime-deadline-ms']),
  };
  try {
    const result = await mod[fn](JSON.parse(next.body), context);
    await request('POST', `${base}/invocation/${id}/response`, JSON.stringify(result ?? null));
  } catch (e) {
    const err = { errorMessage: String(e?.message ?? e), errorType: e?.name ?? 'Error', stackTrace: [] };
    await request('POST', `${base}/invocation/${id}/error`, JSON.stringify(err));
  }
}
