import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { S3Config } from '../../src/config/config.ts';
import { openObjectStore } from '../../src/storage/open-object-store.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { createTestBucket, testS3Config } from '../support/s3-server.ts';
import { objectStoreContract } from './object-store-contract.ts';

describe('S3 object store on the S3-compatible test server', () => {
  let config: S3Config;
  let bucket: string;
  let counter = 0;
  before(async () => {
    config = await testS3Config();
    bucket = await createTestBucket();
  });

  // Each test gets its own prefix in the shared bucket, which also exercises prefixed roots.
  objectStoreContract(() => openObjectStore(`${bucket}/suite-${++counter}`, config));

  it('roots a store at the bucket itself', async () => {
    const root: ObjectStore = openObjectStore(bucket, config);
    await root.put('top/level.txt', 'x');
    assert.equal(root.uriOf('top/level.txt'), `${bucket}/top/level.txt`);
    assert.deepEqual((await root.list('top/')).objects.map((o) => o.key), ['top/level.txt']);
  });

  it('shares one client per endpoint', () => {
    const a = openObjectStore(`${bucket}/a`, config) as unknown as { client: unknown };
    const b = openObjectStore(`${bucket}/b`, { ...config }) as unknown as { client: unknown };
    assert.equal(a.client, b.client);
  });

  it('rejects a malformed s3 URI', () => {
    assert.throws(() => openObjectStore('s3://', config), /s3:\/\/bucket/);
  });
});
