#!/usr/bin/env node
// The example app: `npx cdk deploy` (see README.md). Migrations come from ../blog/migrations unless
// RATCHET_MIGRATIONS_DIR is set; the Lambda code from RATCHET_LAMBDA_ZIP or build/lambda/ratchet-lambda.zip.
import * as path from 'node:path';
import { App } from 'aws-cdk-lib/core';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RatchetExampleStack } from '../lib/example-stack';

const app = new App();
// Compiled to dist/examples/aws-cdk/bin/app.js (tsc's rootDir is the repository root, for ../../cdk/src).
const exampleDir = path.resolve(__dirname, '..', '..', '..', '..');
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
new RatchetExampleStack(app, app.node.tryGetContext('stackName') ?? 'RatchetExample', {
  // With credentials the CLI sets these; without them the stack is environment-agnostic (no AZ lookup).
  env: account && region ? { account, region } : undefined,
  migrationsDir: process.env.RATCHET_MIGRATIONS_DIR ?? path.resolve(exampleDir, '..', 'blog', 'migrations'),
  // In this repository: the zip of a ratchet build (an installed package carries its own zips instead).
  lambdaCode: process.env.RATCHET_LAMBDA_ZIP ?? path.resolve(exampleDir, '..', '..', 'build', 'lambda', 'ratchet-lambda.zip'),
  architecture: app.node.tryGetContext('architecture') === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
  iamAuth: app.node.tryGetContext('iamAuth') === true || app.node.tryGetContext('iamAuth') === 'true',
});
