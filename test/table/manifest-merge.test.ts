import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EntryStatus } from '../../src/table/data-file.ts';
import { readManifest, readManifestList } from '../../src/table/manifest-io.ts';
import { packEnd } from '../../src/table/manifest-merge.ts';
import { specById } from '../../src/table/table-metadata.ts';
import type { Table } from '../../src/table/table.ts';
import { STORES } from '../support/stores.ts';
import { openTestWarehouse, pyiceberg, WAREHOUSES, type TestWarehouse } from './warehouse-support.ts';

/** The current snapshot's manifests and their entries, as [path, [[status, snapshot id, data seq, file seq, file], …]]. */
async function layout(table: Table) {
  const md = table.metadata();
  const manifests = await readManifestList(table.io, table.currentSnapshot()!.manifestList);
  const out = [];
  for (const m of manifests) {
    const entries = await readManifest(table.io, m, specById(md, m.partitionSpecId), table.schema());
    out.push({ manifest: m, entries: entries.map((e) => ({ status: e.status, snapshotId: e.snapshotId.toString(), sequenceNumber: e.sequenceNumber, fileSequenceNumber: e.fileSequenceNumber, path: e.dataFile.filePath })) });
  }
  return out;
}

/** Entries of the current snapshot as PyIceberg's inspect.entries() reports them, sorted by file. */
async function peerEntries(t: TestWarehouse, kind: 'folder' | 's3', name: string) {
  return pyiceberg<{ entries: [number, string, number, number, string][]; ids: number[] }>(
    t,
    kind,
    `
tbl = cat.load_table('${name}')
e = tbl.inspect.entries().to_pylist()
print(json.dumps({'entries': sorted([[r['status'], str(r['snapshot_id']), r['sequence_number'], r['file_sequence_number'], r['data_file']['file_path']] for r in e], key=lambda x: x[4]),
  'ids': sorted(r['id'] for r in tbl.scan().to_arrow().to_pylist())}))
`,
  );
}

describe('manifest bin packing', () => {
  it('packs from the end so only the newest bin is under-filled, keeping order', () => {
    assert.deepEqual(packEnd([1, 2, 3, 4, 5], 6, (x) => x), [[1, 2, 3], [4], [5]]);
    assert.deepEqual(packEnd([5, 1, 1, 1, 1], 4, (x) => x), [[5], [1, 1, 1, 1]]);
    assert.deepEqual(packEnd([1, 1, 1], 100, (x) => x), [[1, 1, 1]]);
    assert.deepEqual(packEnd([9, 9], 4, (x) => x), [[9], [9]], 'an item over the target gets a bin alone');
  });
});

for (const store of STORES) {
  for (const kind of WAREHOUSES) {
    describe(`manifest merging and rewrite-manifests (${store}, ${kind} warehouse)`, () => {
      let t: TestWarehouse;
      const schema = [
        { name: 'id', type: 'long', required: true },
        { name: 'day', type: 'date' },
      ];
      const day = (id: number) => `2024-02-0${1 + (id % 3)}`;
      before(async () => {
        t = await openTestWarehouse(store, kind);
      });
      after(() => t.close());

      it('merges manifests on commit once min-count-to-merge is reached, keeping snapshot ids and sequence numbers', async () => {
        const table = await t.warehouse.createTable({ namespace: ['mm'], name: 'merged' }, { schema, partitionBy: [{ column: 'day' }], properties: { 'commit.manifest.min-count-to-merge': '3' } });
        const snapshots: string[] = [];
        for (let i = 0; i < 2; i++) snapshots.push((await t.data.appendRows(table, [{ id: i, day: day(i) }])).snapshot.snapshotId.toString());
        assert.equal((await layout(table)).length, 2, 'two manifests: below the minimum count, nothing merged');
        snapshots.push((await t.data.appendRows(table, [{ id: 2, day: day(2) }])).snapshot.snapshotId.toString());
        const merged = await layout(table);
        assert.equal(merged.length, 1, 'the third append merged all three into one manifest');
        const byStatus = merged[0].entries.map((e) => [e.status, e.snapshotId, e.sequenceNumber, e.fileSequenceNumber]).sort((a, b) => Number(a[2]) - Number(b[2]));
        assert.deepEqual(byStatus, [
          [EntryStatus.Existing, snapshots[0], 1, 1],
          [EntryStatus.Existing, snapshots[1], 2, 2],
          [EntryStatus.Added, snapshots[2], 3, 3],
        ]);
        assert.equal(merged[0].manifest.addedFilesCount, 1);
        assert.equal(merged[0].manifest.existingFilesCount, 2);
        assert.equal(merged[0].manifest.minSequenceNumber, 1);
        assert.equal(await table.newScan().countFromMetadata(), 3);

        // A delete records its DELETED entry once; the next merge drops it.
        const victim = (await table.dataFiles()).find((f) => f.recordCount === 1)!;
        await table.newDelete().deleteFile(victim).commit();
        assert.ok((await layout(table)).some((m) => m.entries.some((e) => e.status === EntryStatus.Deleted)));
        for (let i = 3; i < 5; i++) await t.data.appendRows(table, [{ id: i, day: day(i) }]);
        const after = await layout(table);
        assert.equal(after.length, 1);
        assert.ok(after[0].entries.every((e) => e.status !== EntryStatus.Deleted), 'deletes of earlier snapshots are not carried into merged manifests');
        assert.equal(after[0].entries.length, 4);

        // Older snapshots keep their own manifest lists: time travel is unaffected.
        assert.equal((await t.data.readRows(table, table.newScan().useSnapshot(BigInt(snapshots[1])))).length, 2);
        const peer = await peerEntries(t, kind, 'mm.merged');
        const ours = after[0].entries.map((e) => [e.status, e.snapshotId, e.sequenceNumber, e.fileSequenceNumber, e.path]).sort((a, b) => String(a[4]).localeCompare(String(b[4])));
        assert.deepEqual(peer.entries, ours, 'PyIceberg reads the merged manifest with the same statuses, snapshot ids and sequence numbers');
        assert.deepEqual(peer.ids, (await t.data.readRows(table)).map((r) => Number(r.id)).sort((a, b) => a - b));
      });

      it('does not merge when commit.manifest-merge.enabled is false or manifests exceed the target size', async () => {
        const off = await t.warehouse.createTable({ namespace: ['mm'], name: 'off' }, { schema, properties: { 'commit.manifest-merge.enabled': 'false', 'commit.manifest.min-count-to-merge': '2' } });
        const small = await t.warehouse.createTable({ namespace: ['mm'], name: 'small' }, { schema, properties: { 'commit.manifest.target-size-bytes': '1', 'commit.manifest.min-count-to-merge': '2' } });
        for (let i = 0; i < 4; i++) {
          await t.data.appendRows(off, [{ id: i, day: day(i) }]);
          await t.data.appendRows(small, [{ id: i, day: day(i) }]);
        }
        assert.equal((await layout(off)).length, 4);
        assert.equal((await layout(small)).length, 4);
      });

      it('rewrites manifests into one per spec in a replace snapshot that PyIceberg reads', async () => {
        const table = await t.warehouse.createTable({ namespace: ['mm'], name: 'rewrite' }, { schema, partitionBy: [{ column: 'day' }], properties: { 'commit.manifest-merge.enabled': 'false' } });
        for (let i = 0; i < 5; i++) await t.data.appendRows(table, [{ id: i, day: day(i) }, { id: i + 100, day: day(i + 1) }]);
        await table.newDelete().deleteFile((await table.dataFiles())[0]).commit();
        const before = await layout(table);
        assert.equal(before.length, 5);
        const rowsBefore = (await t.data.readRows(table)).map((r) => Number(r.id)).sort((a, b) => a - b);
        const result = await table.rewriteManifests().commit();
        const summary = result.snapshot.summary;
        assert.equal(summary.operation, 'replace');
        assert.equal(summary['manifests-replaced'], '5');
        assert.equal(summary['manifests-created'], '1');
        assert.equal(summary['entries-processed'], '9');
        const after = await layout(table);
        assert.equal(after.length, 1);
        assert.ok(after[0].entries.every((e) => e.status === EntryStatus.Existing));
        const live = before.flatMap((m) => m.entries.filter((e) => e.status !== EntryStatus.Deleted)).map((e) => [e.path, e.snapshotId, e.sequenceNumber]).sort();
        assert.deepEqual(after[0].entries.map((e) => [e.path, e.snapshotId, e.sequenceNumber]).sort(), live, 'every live file kept with its snapshot id and sequence number');
        assert.deepEqual((await t.data.readRows(table)).map((r) => Number(r.id)).sort((a, b) => a - b), rowsBefore);
        assert.equal(await table.newScan().countFromMetadata(), 9);
        const pruned = await table.newScan().filter({ op: 'eq', column: 'day', value: day(0) }).planFiles();
        assert.ok(pruned.files.length > 0 && pruned.files.length < 9, 'partition pruning works on the rewritten manifest');
        const peer = await peerEntries(t, kind, 'mm.rewrite');
        assert.deepEqual(peer.ids, rowsBefore);
        assert.deepEqual(peer.entries.map((e) => e[0]), new Array(9).fill(0));
      });
    });
  }
}
