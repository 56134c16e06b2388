import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError } from '../../src/errors/invalid-input-error.ts';
import { eq, gtEq, isIn } from '../../src/table/expression.ts';
import { CommitConflictError } from '../../src/table/table-errors.ts';
import type { Table } from '../../src/table/table.ts';
import { STORES } from '../support/stores.ts';
import { EVENTS_TABLE, openTestWarehouse, pyiceberg, WAREHOUSES, type TestWarehouse } from './warehouse-support.ts';

const rows = (from: number, count: number, day: number) =>
  Array.from({ length: count }, (_, i) => ({ id: from + i, ts: `2024-01-0${day}T${String(i % 24).padStart(2, '0')}:00:00Z`, kind: `k${(from + i) % 3}`, value: (from + i) * 0.5 }));

const ids = (list: Record<string, unknown>[]) => list.map((r) => Number(r.id)).sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

for (const store of STORES) {
  for (const kind of WAREHOUSES) {
    describe(`copy-on-write delete and overwrite (${store}, ${kind} warehouse)`, () => {
      let t: TestWarehouse;
      let table: Table;
      const name = { namespace: ['cow'], name: 'events' };
      before(async () => {
        t = await openTestWarehouse(store, kind);
        table = await t.warehouse.createTable(name, EVENTS_TABLE);
        await t.data.appendRows(table, [...rows(0, 10, 1), ...rows(10, 10, 2)]);
        await t.data.appendRows(table, rows(30, 5, 1));
      });
      after(() => t.close());

      it('rewrites files a delete filter covers in part, drops files it covers whole, and leaves the others untouched', async () => {
        const files = await table.dataFiles();
        assert.equal(files.length, 3);
        const untouched = files.find((f) => f.recordCount === 10 && f.filePath.includes('ts_day=2024-01-01'))!;
        const result = await t.data.deleteRows(table, gtEq('id', 15));
        assert.equal(result.filesDropped, 1, 'ids 30..34 all match: dropped without rewriting');
        assert.equal(result.filesRewritten, 1, 'ids 10..19 match in part: rewritten');
        assert.equal(result.rowsRewritten, 5);
        assert.equal(result.deletedRows, 10);
        const snapshot = result.commit!.snapshot;
        assert.equal(snapshot.summary.operation, 'overwrite');
        assert.equal(snapshot.summary['deleted-data-files'], '2');
        assert.equal(snapshot.summary['deleted-records'], '15');
        assert.equal(snapshot.summary['added-data-files'], '1');
        assert.equal(snapshot.summary['added-records'], '5');
        assert.equal(snapshot.summary['total-records'], '15');
        const after = await table.dataFiles();
        assert.ok(after.some((f) => f.filePath === untouched.filePath), 'the file proven not to match by its statistics is kept as it was');
        assert.deepEqual(ids(await t.data.readRows(table)), range(0, 15));
      });

      it('writes replacement files like any write: same partition, sorted, zstd, field ids, statistics', async () => {
        const replacement = (await table.dataFiles()).find((f) => f.filePath.includes('ts_day=2024-01-02'))!;
        assert.equal(replacement.recordCount, 5);
        assert.equal(replacement.sortOrderId, 1);
        assert.ok(replacement.lowerBounds?.get(1) && replacement.upperBounds?.get(1));
        assert.equal(replacement.valueCounts?.get(1), 5);
        const local = await table.io.localPath(replacement.filePath);
        const meta = await t.session.jsonRows(`SELECT DISTINCT compression FROM parquet_metadata('${local}')`);
        assert.deepEqual(meta.map((m) => m.compression), ['ZSTD']);
        const fieldIds = await t.session.jsonRows(`SELECT name, field_id FROM parquet_schema('${local}') WHERE field_id IS NOT NULL ORDER BY field_id`);
        assert.deepEqual(fieldIds.map((r) => [r.name, Number(r.field_id)]), [['id', 1], ['ts', 2], ['kind', 3], ['value', 4]]);
        const direct = await t.session.jsonRows(`SELECT id FROM read_parquet('${local}')`);
        assert.deepEqual(direct.map((r) => Number(r.id)), [10, 11, 12, 13, 14], 'DuckDB reads the file directly, rows sorted by id');
      });

      it('deletes rows matching in every file, and commits nothing when no row matches or the filter is bad', async () => {
        const before = table.currentSnapshot()!.snapshotId;
        await assert.rejects(t.data.deleteRows(table, eq('nope', 1)), (e: unknown) => e instanceof InvalidInputError && /column "nope"/.test(e.message));
        await assert.rejects(t.data.deleteRows(table, eq('id', 'not-a-number')), InvalidInputError);
        assert.equal((await table.refresh()).currentSnapshot()!.snapshotId, before);
        const none = await t.data.deleteRows(table, eq('kind', 'no-such-kind'));
        assert.equal(none.commit, undefined);
        assert.equal(table.currentSnapshot()!.snapshotId, before);
        const result = await t.data.deleteRows(table, eq('kind', 'k1'));
        assert.equal(result.filesRewritten, 2);
        assert.equal(result.deletedRows, 5);
        assert.deepEqual(ids(await t.data.readRows(table)), range(0, 15).filter((i) => i % 3 !== 1));
        // Time travel still sees the rows before the delete.
        assert.equal((await t.data.readRows(table, table.newScan().useSnapshot(before))).length, 15);
      });

      it('overwrites matching rows with new ones in one overwrite snapshot', async () => {
        const result = await t.data.overwriteRows(table, eq('kind', 'k2'), [{ id: 100, ts: '2024-01-01T05:00:00Z', kind: 'k2', value: 1 }]);
        assert.equal(result.snapshot.summary.operation, 'overwrite');
        const expected = [...range(0, 15).filter((i) => i % 3 === 0), 100];
        assert.deepEqual(ids(await t.data.readRows(table)), expected);
      });

      it('PyIceberg reads the same rows and history after the rewrites', async () => {
        const out = await pyiceberg<{ ids: number[]; ops: string[]; totals: string[] }>(
          t,
          kind,
          `
tbl = cat.load_table('cow.events')
print(json.dumps({'ids': sorted(r['id'] for r in tbl.scan().to_arrow().to_pylist()),
  'ops': [s.summary.operation.value for s in tbl.snapshots()],
  'totals': [s.summary['total-records'] for s in tbl.snapshots()]}))
`,
        );
        assert.deepEqual(out.ids, ids(await t.data.readRows(table)));
        assert.deepEqual(out.ops, table.history().map((s) => s.summary.operation));
        assert.deepEqual(out.ops, ['append', 'append', 'overwrite', 'overwrite', 'overwrite']);
        assert.deepEqual(out.totals, table.history().map((s) => s.summary['total-records']));
      });

      it('fails with a conflict when a concurrent commit removed a file being rewritten, leaving no files behind', async () => {
        await t.data.appendRows(table, rows(200, 6, 3));
        const prepared = await t.data.prepareDelete(table, eq('kind', 'k0'));
        assert.ok(prepared.result.filesRewritten > 0);
        const other = await t.warehouse.loadTable(name);
        const victim = (await other.dataFiles()).find((f) => f.filePath.includes('ts_day=2024-01-03'))!;
        await other.newDelete().deleteFile(victim).commit();
        const written = (await table.io.list(`${table.location()}/data`)).length;
        await assert.rejects(prepared.commit(), CommitConflictError);
        assert.ok((await table.io.list(`${table.location()}/data`)).length < written, 'replacement files of the failed commit are deleted');
        await table.refresh();
        assert.equal(table.currentSnapshot()!.snapshotId, other.currentSnapshot()!.snapshotId);
      });

      it('retries on a concurrent commit that leaves its files in place', async () => {
        const prepared = await t.data.prepareDelete(table, eq('kind', 'k0'));
        const other = await t.warehouse.loadTable(name);
        await t.data.appendRows(other, rows(300, 3, 4));
        const done = await prepared.commit();
        assert.equal(done.commit!.attempts, 2, 'lost the first swap, re-applied on the new base');
        // Snapshot isolation: the delete removes the rows it read; row 300 (k0) arrived after it started.
        assert.deepEqual(ids(await t.data.readRows(await table.refresh())), [100, 300, 301, 302]);
      });

      it('fails an overwrite when a concurrent commit appended rows matching its filter', async () => {
        const prepared = await t.data.prepareOverwrite(table, isIn('kind', ['k1']), `SELECT 400::BIGINT AS id, TIMESTAMPTZ '2024-01-04 01:00:00+00' AS ts, 'k1' AS kind, 0.0::DOUBLE AS value`);
        const other = await t.warehouse.loadTable(name);
        await t.data.appendRows(other, [{ id: 401, ts: '2024-01-04T02:00:00Z', kind: 'k1', value: 0 }]);
        await assert.rejects(prepared.commit(), CommitConflictError);
      });

      it('fails a rewrite when a concurrent commit added row-level deletes to a file it rewrites', async () => {
        const prepared = await t.data.prepareDelete(table, eq('id', 302));
        assert.equal(prepared.result.filesRewritten, 1);
        const other = await t.warehouse.loadTable(name);
        await t.data.deleteRowsMergeOnRead(other, eq('id', 301));
        await assert.rejects(prepared.commit(), /row-level deletes/);
        assert.ok(!ids(await t.data.readRows(await table.refresh())).includes(301), 'the concurrent delete stands');
      });

      it('fails a merge-on-read delete when a concurrent commit rewrote the data file it names', async () => {
        const prepared = await t.data.prepareDeleteMergeOnRead(table, eq('id', 300));
        assert.equal(prepared.result.filesAdded, 1);
        const other = await t.warehouse.loadTable(name);
        await t.data.deleteRows(other, eq('id', 302));
        await assert.rejects(prepared.commit(), /removed or rewrote/);
        assert.ok(ids(await t.data.readRows(await table.refresh())).includes(300), 'nothing deleted; the caller re-plans');
      });

      it('still detects concurrent changes that a manifest merge turned into EXISTING entries', async () => {
        const merging = await t.warehouse.createTable({ namespace: ['cow'], name: 'merging' }, { ...EVENTS_TABLE, properties: { 'commit.manifest.min-count-to-merge': '2' } });
        await t.data.appendRows(merging, rows(0, 6, 1));
        const overwrite = await t.data.prepareOverwrite(merging, eq('kind', 'k1'), `SELECT 50::BIGINT AS id, TIMESTAMPTZ '2024-01-01 00:00:00+00' AS ts, 'k1' AS kind, 0.0::DOUBLE AS value`);
        const rewrite = await t.data.prepareDelete(merging, eq('id', 0));
        const other = await t.warehouse.loadTable({ namespace: ['cow'], name: 'merging' });
        const { readManifestList, readManifest } = await import('../../src/table/manifest-io.ts');
        const liveEntries = async () => {
          const manifests = await readManifestList(other.io, other.currentSnapshot()!.manifestList);
          return (await Promise.all(manifests.map((m) => readManifest(other.io, m, other.spec(), other.schema())))).flat();
        };
        // A matching append, then one more commit whose manifest merge makes its entry EXISTING.
        await t.data.appendRows(other, [{ id: 60, ts: '2024-01-02T00:00:00Z', kind: 'k1', value: 0 }]);
        await t.data.appendRows(other, [{ id: 70, ts: '2024-01-03T00:00:00Z', kind: 'k0', value: 0 }]);
        assert.ok((await liveEntries()).some((e) => e.status === 0 && e.dataFile.content === 0 && e.dataFile.recordCount === 1 && e.dataFile.filePath.includes('2024-01-02')));
        await assert.rejects(overwrite.commit(), /matches the overwrite filter/);
        // Deletes for the file being rewritten, then deletes elsewhere whose merge makes the first EXISTING.
        await t.data.deleteRowsMergeOnRead(other, eq('id', 1));
        await t.data.deleteRowsMergeOnRead(other, eq('id', 70));
        assert.ok((await liveEntries()).some((e) => e.status === 0 && e.dataFile.content === 1));
        await assert.rejects(rewrite.commit(), /row-level deletes/);
      });
    });
  }
}
