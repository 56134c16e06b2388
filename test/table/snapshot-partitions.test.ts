import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { eq } from '../../src/table/expression.ts';
import { readManifestList } from '../../src/table/manifest-io.ts';
import { partitionsWithData, snapshotPartitionChanges } from '../../src/table/snapshot-partitions.ts';
import type { Table } from '../../src/table/table.ts';
import { STORES } from '../support/stores.ts';
import { openTestWarehouse, type TestWarehouse } from './warehouse-support.ts';

/** Runs `work` with the given files out of reach: a read of any of them fails the test. */
async function without(uris: readonly string[], work: () => Promise<void>): Promise<void> {
  const paths = uris.map((uri) => fileURLToPath(uri));
  for (const p of paths) renameSync(p, `${p}.away`);
  try {
    await work();
  } finally {
    for (const p of paths) renameSync(`${p}.away`, p);
  }
}

for (const store of STORES) {
  describe(`which partitions a snapshot emptied (${store}, folder warehouse)`, () => {
    let t: TestWarehouse;
    let table: Table;
    before(async () => {
      t = await openTestWarehouse(store, 'folder');
      table = await t.warehouse.createTable(
        { namespace: ['parts'], name: 'kinds' },
        { schema: [{ name: 'id', type: 'long' }, { name: 'kind', type: 'string' }], partitionBy: [{ column: 'kind' }] },
      );
      // One manifest per append (merging starts at 100): {a}, {b}, {c, d}.
      await t.data.appendRows(table, [{ id: 1, kind: 'a' }]);
      await t.data.appendRows(table, [{ id: 2, kind: 'b' }]);
      await t.data.appendRows(table, [{ id: 3, kind: 'c' }, { id: 4, kind: 'd' }]);
      await table.newDelete().deleteByPartition(eq('kind', 'b')).commit();
    });
    after(() => t.close());

    it('names the partitions a delete removed files from, with the tuple that finds them', async () => {
      const changes = await snapshotPartitionChanges(table.io, table.metadata(), table.currentSnapshot()!);
      assert.deepEqual(changes.added, []);
      assert.deepEqual([...changes.removed.keys()], ['kind=b']);
      assert.deepEqual(changes.removed.get('kind=b')?.partition, ['b']);
    });

    it('proves a partition empty reading only the manifests whose value ranges cover it', async () => {
      const snapshot = table.currentSnapshot()!;
      const { removed } = await snapshotPartitionChanges(table.io, table.metadata(), snapshot);
      const manifests = await readManifestList(table.io, snapshot.manifestList);
      const live = manifests.filter((m) => m.addedFilesCount + m.existingFilesCount > 0);
      assert.equal(live.length, 2, 'the manifests of {a} and of {c, d}');
      // Neither range holds b, so neither is read: with both out of reach the answer still comes.
      await without(
        live.map((m) => m.manifestPath),
        async () => assert.deepEqual(await partitionsWithData(table.io, table.metadata(), snapshot, removed), new Set()),
      );
    });

    it('finds a partition that still has data, reading the manifest that holds it', async () => {
      const snapshot = table.currentSnapshot()!;
      const manifests = await readManifestList(table.io, snapshot.manifestList);
      const ofA = manifests.find((m) => m.addedFilesCount + m.existingFilesCount === 1 && m.deletedFilesCount === 0)!;
      const candidates = new Map([
        ['kind=c', { specId: 0, partition: ['c'] }],
        ['kind=b', { specId: 0, partition: ['b'] }],
      ]);
      await without([ofA.manifestPath], async () => {
        assert.deepEqual(await partitionsWithData(table.io, table.metadata(), snapshot, candidates), new Set(['kind=c']));
      });
      // A tuple of another spec cannot be compared with the summaries: then every manifest is read.
      const otherSpec = new Map([['kind=b', { specId: 7, partition: ['b'] }]]);
      await assert.rejects(without([ofA.manifestPath], () => partitionsWithData(table.io, table.metadata(), snapshot, otherSpec).then(() => undefined)));
    });
  });
}
