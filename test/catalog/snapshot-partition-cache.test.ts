import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SnapshotPartitionCache } from '../../src/catalog/connectors/warehouse/snapshot-partition-cache.ts';

/** A read that counts its calls and answers `count` partitions when released. */
function reader(count: number) {
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const read = async () => {
    calls++;
    await gate;
    return Array.from({ length: count }, (_, i) => `p${i}`);
  };
  return { read, release, calls: () => calls };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('snapshot partition cache', () => {
  it('shares one read among concurrent requests and serves later ones from memory', async () => {
    const cache = new SnapshotPartitionCache<string>(100);
    const r = reader(3);
    const both = Promise.all([cache.get('a', r.read), cache.get('a', r.read)]);
    r.release();
    const [one, two] = await both;
    assert.equal(one, two);
    assert.deepEqual(await cache.get('a', r.read), ['p0', 'p1', 'p2']);
    assert.equal(r.calls(), 1);
    assert.equal(cache.size, 3);
  });

  it('drops the least recently used snapshots once it holds more partitions than its bound', async () => {
    const cache = new SnapshotPartitionCache<string>(10);
    const readers = { a: reader(4), b: reader(4), c: reader(4) };
    for (const r of Object.values(readers)) r.release();
    await cache.get('a', readers.a.read);
    await cache.get('b', readers.b.read);
    await cache.get('a', readers.a.read); // a is now the most recent
    await cache.get('c', readers.c.read);
    await settle();
    assert.equal(cache.size, 8);
    await cache.get('a', readers.a.read);
    await cache.get('b', readers.b.read);
    assert.deepEqual([readers.a.calls(), readers.b.calls(), readers.c.calls()], [1, 2, 1], 'b went, a stayed');
  });

  it('keeps no snapshot larger than its bound and no failed read', async () => {
    const cache = new SnapshotPartitionCache<string>(5);
    const big = reader(6);
    big.release();
    await cache.get('big', big.read);
    await cache.get('big', big.read);
    assert.equal(big.calls(), 2);

    let failures = 0;
    const failing = async (): Promise<string[]> => {
      failures++;
      throw new Error('manifest list unreadable');
    };
    await assert.rejects(cache.get('bad', failing), /unreadable/);
    await settle();
    await assert.rejects(cache.get('bad', failing), /unreadable/);
    assert.equal(failures, 2);
    assert.equal(cache.size, 0);
  });

  it('counts an unpartitioned snapshot as one, so empty entries are bounded too', async () => {
    const cache = new SnapshotPartitionCache<string>(2);
    const empties = [reader(0), reader(0), reader(0)];
    for (const [i, r] of empties.entries()) {
      r.release();
      await cache.get(`e${i}`, r.read);
    }
    await settle();
    assert.equal(cache.size, 2);
    await cache.get('e0', empties[0]!.read);
    assert.equal(empties[0]!.calls(), 2, 'the oldest empty entry made room');
  });
});
