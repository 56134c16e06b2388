import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { FsObjectStore } from '../../src/storage/fs-object-store.ts';
import { objectStoreContract } from './object-store-contract.ts';

describe('local folder object store', () => {
  objectStoreContract(() => new FsObjectStore(pathToFileURL(mkdtempSync(path.join(os.tmpdir(), 'quarry-fs-store-'))).href));

  it('leaves no temp files behind and skips a crashed writer’s temp file in listings', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-fs-store-'));
    const store = new FsObjectStore(pathToFileURL(dir).href);
    await store.put('t/a.txt', 'a');
    await store.put('t/a.txt', 'b');
    assert.deepEqual(readdirSync(path.join(dir, 't')), ['a.txt']);
    mkdirSync(path.join(dir, 't'), { recursive: true });
    writeFileSync(path.join(dir, 't', 'b.txt.quarry-tmp-abc123'), 'partial');
    assert.deepEqual((await store.list('t/')).objects.map((o) => o.key), ['t/a.txt']);
  });

  it('removes the folders a delete empties, but never the root or a folder still in use', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-fs-store-'));
    const store = new FsObjectStore(pathToFileURL(dir).href + '/');
    await store.put('jobs/a/genie/x.txt', 'x');
    await store.put('jobs/b/y.txt', 'y');
    await store.delete('jobs/a/genie/x.txt');
    assert.equal(existsSync(path.join(dir, 'jobs', 'a')), false);
    assert.deepEqual(readdirSync(path.join(dir, 'jobs')), ['b']);
    await store.delete('jobs/b/y.txt');
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(existsSync(dir), true);
  });

  it('never fails a put racing deletes that empty its folder', async () => {
    const store = new FsObjectStore(pathToFileURL(mkdtempSync(path.join(os.tmpdir(), 'quarry-fs-store-'))).href);
    for (let round = 0; round < 50; round++) {
      await store.put(`t/${round}/old.txt`, 'old');
      await Promise.all([store.delete(`t/${round}/old.txt`), store.put(`t/${round}/new.txt`, 'new')]);
      assert.equal(Buffer.from(await store.getBytes(`t/${round}/new.txt`)).toString(), 'new');
    }
  });
});
