import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { before, describe, it } from 'node:test';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { S3Config } from '../../src/config/config.ts';
import { openObjectStore, s3ClientFor } from '../../src/storage/open-object-store.ts';
import { ObjectExistsError } from '../../src/storage/object-store-errors.ts';
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

  describe('multipart upload of streamed bodies', () => {
    const MiB = 1024 * 1024;
    /** A deterministic body of `size` bytes streamed in odd-sized chunks, with its sha256. */
    const body = (size: number, failAfter?: number) => {
      const hash = createHash('sha256');
      let sent = 0;
      const stream = new Readable({
        read() {
          if (failAfter !== undefined && sent >= failAfter) {
            this.destroy(new Error('source failed'));
            return;
          }
          const n = Math.min(777_777, size - sent);
          if (n <= 0) return void this.push(null);
          const chunk = Buffer.alloc(n);
          for (let i = 0; i < n; i++) chunk[i] = (sent + i) % 251;
          hash.update(chunk);
          sent += n;
          this.push(chunk);
        },
      });
      return { stream, digest: () => hash.digest('hex') };
    };
    const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    const pendingUploads = async (root: string) => {
      const out = await s3ClientFor(config).send(new ListMultipartUploadsCommand({ Bucket: root.slice('s3://'.length) }));
      return out.Uploads ?? [];
    };

    it('uploads a 21 MiB stream in 8 MiB parts by default, byte for byte', async () => {
      const store = openObjectStore(`${bucket}/multipart-default`, config);
      const { stream, digest } = body(21 * MiB + 123);
      const info = await store.put('big.bin', stream);
      assert.equal(info.size, 21 * MiB + 123);
      const head = await store.head('big.bin');
      assert.equal(head?.size, 21 * MiB + 123);
      assert.match(head!.etag, /-3"?$/, 'a multipart ETag names its part count: 8 + 8 + 5 MiB');
      assert.equal(sha(await store.getBytes('big.bin')), digest());
    });

    it('honours a configured part size and keeps small streams a single PUT', async () => {
      const store = openObjectStore(`${bucket}/multipart-custom`, { ...config, partSizeBytes: 5 * MiB });
      const { stream, digest } = body(21 * MiB);
      await store.put('big.bin', stream);
      assert.match((await store.head('big.bin'))!.etag, /-5"?$/);
      assert.equal(sha(await store.getBytes('big.bin')), digest());
      const small = body(5 * MiB - 1);
      await store.put('small.bin', small.stream);
      assert.doesNotMatch((await store.head('small.bin'))!.etag, /-\d+"?$/, 'below one part: a plain PutObject');
      assert.equal(sha(await store.getBytes('small.bin')), small.digest());
    });

    it('keeps create-only semantics on the completing request and aborts what fails', async () => {
      const store = openObjectStore(`${bucket}/multipart-conditional`, config);
      await store.put('once.bin', body(17 * MiB).stream, { ifNoneMatch: '*' });
      await assert.rejects(store.put('once.bin', body(17 * MiB).stream, { ifNoneMatch: '*' }), ObjectExistsError);
      await assert.rejects(store.put('broken.bin', body(30 * MiB, 18 * MiB).stream), /source failed/);
      assert.equal(await store.head('broken.bin'), undefined, 'nothing visible from the failed upload');
      assert.deepEqual((await pendingUploads(bucket)).map((u) => u.Key), [], 'every failed upload was aborted');
    });
  });
});
