import { randomBytes } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { S3Config } from '../../src/config/config.ts';
import { s3ClientFor } from '../../src/storage/open-object-store.ts';
import { testService } from './test-service.ts';

/** The endpoint of the S3-compatible test server (moto: path-style, any credentials, data in memory). */
export const s3Endpoint = testService({
  label: 'The S3 test server',
  env: 'QUARRY_TEST_S3_ENDPOINT',
  script: 's3.sh',
  installs: false,
  address: (port) => `http://127.0.0.1:${port}`,
});

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
