import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
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
    // Both the folder-making and the open can lose to the delete's rmdir; rounds give each a chance.
    for (let round = 0; round < 100; round++) {
      await store.put(`t/${round}/old.txt`, 'old');
      const body = round % 2 === 0 ? 'new' : Readable.from([Buffer.from('ne'), Buffer.from('w')]);
      await Promise.all([store.delete(`t/${round}/old.txt`), store.put(`t/${round}/new.txt`, body)]);
      assert.equal(Buffer.from(await store.getBytes(`t/${round}/new.txt`)).toString(), 'new');
    }
  });

  it('never fails a put while another process removes the emptied folder it is about to use', async () => {
    // mkdir -p finds the folder, the rmdir removes it, mkdir's own check then fails: a narrow window
    // (about 3 races in 100 here), so the put races a raw rmdir many times over.
    const root = mkdtempSync(path.join(os.tmpdir(), 'quarry-fs-store-'));
    const store = new FsObjectStore(pathToFileURL(root).href);
    const folder = path.join(root, 't', 'x');
    for (let round = 0; round < 2000; round++) {
      mkdirSync(folder, { recursive: true });
      const [, put] = await Promise.allSettled([rmdir(folder), store.put('t/x/new.txt', `new ${round}`)]);
      assert.equal(put.status, 'fulfilled', put.status === 'rejected' ? String(put.reason) : '');
      assert.equal(Buffer.from(await store.getBytes('t/x/new.txt')).toString(), `new ${round}`);
      await store.delete('t/x/new.txt');
    }
  });

  it('reports a failing source stream as the caller’s error and leaves no temp file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-fs-store-'));
    const store = new FsObjectStore(pathToFileURL(dir).href);
    // ENOENT on purpose: the same code as a lost folder, which put retries, must still reach the caller.
    const source = new Readable({ read() { this.destroy(Object.assign(new Error('source vanished'), { code: 'ENOENT' })); } });
    await assert.rejects(store.put('t/x.bin', source), { message: 'source vanished' });
    assert.equal(await store.head('t/x.bin'), undefined);
    assert.deepEqual(readdirSync(path.join(dir, 't')), []);
  });
});
