// The seed's migration Lambda handler (../../../shared/seed/prisma-lambda-rds-cdk.txt,
// "Migration Lambda Handler"): Create/Update run `prisma migrate deploy` as a synchronous child
// process with inherited stdio, Delete does nothing; the handler itself PUTs the CloudFormation
// response (the cfn-response pattern), as a directly invoked custom resource does.
// Differences from the seed, all in the seed's favour: DATABASE_URL comes from the environment
// (no Secrets Manager call, no AWS SDK loaded) and the CLI is started with `node` directly
// instead of through `npx`.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const prismaCli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');

function putResponse(event, status, reason, physicalId) {
  const body = Buffer.from(
    JSON.stringify({
      Status: status,
      Reason: reason,
      PhysicalResourceId: physicalId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      Data: {},
    }),
  );
  const url = new URL(event.ResponseURL);
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function handler(event, context) {
  const physicalId = event.PhysicalResourceId || 'prisma-migrate';
  try {
    if (event.RequestType === 'Create' || event.RequestType === 'Update') {
      execFileSync(process.execPath, [prismaCli, 'migrate', 'deploy', '--config', path.join(root, 'prisma.config.mjs')], {
        cwd: root,
        stdio: 'inherit',
        env: process.env,
      });
    }
    await putResponse(event, 'SUCCESS', 'migrations applied', physicalId);
  } catch (e) {
    await putResponse(event, 'FAILED', `prisma migrate deploy failed: ${String(e.message).slice(0, 1000)}`, physicalId);
  }
  return { PhysicalResourceId: physicalId };
}
