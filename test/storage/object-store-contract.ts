import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { it } from 'node:test';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { ObjectChangedError, ObjectExistsError, ObjectNotFoundError, RangeNotSatisfiableError } from '../../src/storage/object-store-errors.ts';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

/**
 * The ObjectStore contract as tests, run against every implementation (local folder, S3).
 * `store()` returns a store rooted at an empty location private to the calling suite.
 */
export function objectStoreContract(store: () => ObjectStore): void {
  it('puts and gets bytes, strings and streams', async () => {
    const s = store();
    const info = await s.put('a/b/one.txt', 'hello world');
    assert.equal(info.key, 'a/b/one.txt');
    assert.equal(info.size, 11);
    assert.equal(text(await s.getBytes('a/b/one.txt')), 'hello world');
    await s.put('a/b/two.bin', new Uint8Array([1, 2, 3]));
    assert.deepEqual([...(await s.getBytes('a/b/two.bin'))], [1, 2, 3]);
    await s.put('a/stream.txt', Readable.from([Buffer.from('x'.repeat(100_000)), Buffer.from('y')]));
    assert.equal((await s.head('a/stream.txt'))?.size, 100_001);
  });

  it('reads byte ranges with HTTP semantics', async () => {
    const s = store();
    await s.put('r.txt', 'hello world\n');
    assert.equal(text(await s.getBytes('r.txt', { start: 0, end: 11 })), 'hello world\n');
    assert.equal(text(await s.getBytes('r.txt', { start: 10 })), 'd\n');
    assert.equal(text(await s.getBytes('r.txt', { suffix: 2 })), 'd\n');
    assert.equal(text(await s.getBytes('r.txt', { start: 6, end: 10 })), 'world');
    assert.equal(text(await s.getBytes('r.txt', { start: 0, end: 1000 })), 'hello world\n');
    const ranged = await s.get('r.txt', { suffix: 2 });
    assert.deepEqual(ranged.range, { start: 10, end: 11 });
    ranged.body.destroy();
    await assert.rejects(s.getBytes('r.txt', { start: 12 }), RangeNotSatisfiableError);
  });

  it('reports missing objects: get throws, head answers undefined, delete is a no-op', async () => {
    const s = store();
    await assert.rejects(s.getBytes('missing/key'), ObjectNotFoundError);
    assert.equal(await s.head('missing/key'), undefined);
    await s.delete('missing/key');
  });

  it('creates only once with ifNoneMatch', async () => {
    const s = store();
    await s.put('once.json', '{"v":1}', { ifNoneMatch: '*' });
    await assert.rejects(s.put('once.json', '{"v":2}', { ifNoneMatch: '*' }), ObjectExistsError);
    assert.equal(text(await s.getBytes('once.json')), '{"v":1}');
  });

  it('lets exactly one of many concurrent create-only writers win', async () => {
    const s = store();
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => s.put('race.json', `{"writer":${i}}`, { ifNoneMatch: '*' })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ObjectExistsError);
  });

  it('replaces only the version it read with ifMatch', async () => {
    const s = store();
    const first = await s.put('cas.json', 'v1');
    const second = await s.put('cas.json', 'v2-longer', { ifMatch: first.etag });
    assert.notEqual(second.etag, first.etag);
    await assert.rejects(s.put('cas.json', 'v3', { ifMatch: first.etag }), ObjectChangedError);
    assert.equal(text(await s.getBytes('cas.json')), 'v2-longer');
  });

  it('lists by prefix in key order, with delimiter folders', async () => {
    const s = store();
    for (const key of ['t/data/b.parquet', 't/data/a.parquet', 't/metadata/v1.json', 't/data/x/deep.parquet', 'tx/other']) await s.put(key, key);
    const all = await s.list('t/');
    assert.deepEqual(all.objects.map((o) => o.key), ['t/data/a.parquet', 't/data/b.parquet', 't/data/x/deep.parquet', 't/metadata/v1.json']);
    const top = await s.list('t/', { delimiter: '/' });
    assert.deepEqual(top.objects, []);
    assert.deepEqual(top.prefixes, ['t/data/', 't/metadata/']);
    const partial = await s.list('t/data/a');
    assert.deepEqual(partial.objects.map((o) => o.key), ['t/data/a.parquet']);
    assert.deepEqual((await s.list('nothing/here/')).objects, []);
  });

  it('rejects keys that could escape the store', async () => {
    const s = store();
    for (const key of ['../outside', 'a/../../b', '/absolute', 'a//b', 'a\\b', 'nul\u0000', '']) {
      await assert.rejects(s.put(key, 'x'), /Object key/);
    }
  });

  it('builds full URIs for keys', () => {
    const s = store();
    assert.equal(s.uriOf('t/metadata/v1.json'), `${s.uri}/t/metadata/v1.json`);
  });
}
