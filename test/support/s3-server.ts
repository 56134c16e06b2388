import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { S3Config } from '../../src/config/config.ts';
import { s3ClientFor } from '../../src/storage/open-object-store.ts';
import { freePort } from './postgres-server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'scripts/services/s3.sh');

let started: Promise<string> | undefined;

/**
 * The endpoint of the S3-compatible test server (moto). `npm test` starts one and passes it in
 * QUARRY_TEST_S3_ENDPOINT; a test file run on its own starts a private one (stopped at exit).
 */
export function s3Endpoint(): Promise<string> {
  const given = process.env.QUARRY_TEST_S3_ENDPOINT;
  if (given) return Promise.resolve(given);
  started ??= startPrivateServer();
  return started;
}

async function startPrivateServer(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-s3-'));
  const port = await freePort();
  const start = spawnSync('bash', [SCRIPT, 'start', dir, String(port)], { stdio: 'inherit' });
  if (start.status !== 0) throw new Error('The S3 test server did not start (scripts/services/s3.sh start)');
  process.once('exit', () => {
    spawnSync('bash', [SCRIPT, 'stop', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return `http://127.0.0.1:${port}`;
}

/** S3 settings for the test server. moto accepts any credentials. */
export async function testS3Config(): Promise<S3Config> {
  return { endpoint: await s3Endpoint(), region: 'us-east-1', accessKeyId: 'quarry', secretAccessKey: 'quarry-secret', forcePathStyle: true };
}

/** A fresh, empty bucket on the test server; returns its s3:// URI. */
export async function createTestBucket(): Promise<string> {
  const config = await testS3Config();
  const bucket = `quarry-test-${randomBytes(6).toString('hex')}`;
  await s3ClientFor(config).send(new CreateBucketCommand({ Bucket: bucket }));
  return `s3://${bucket}`;
}
