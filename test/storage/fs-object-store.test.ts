import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
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
});
