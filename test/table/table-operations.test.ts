import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eq, gtEq, and, lt } from '../../src/table/expression.ts';
import { rowsSource } from '../../src/table/parquet-writer.ts';
import { CommitConflictError } from '../../src/table/table-errors.ts';
import type { Table } from '../../src/table/table.ts';
import { STORES } from '../support/stores.ts';
import { EVENTS_TABLE, openTestWarehouse, WAREHOUSES, type TestWarehouse } from './warehouse-support.ts';

const events = (from: number, count: number, day = 1) =>
  Array.from({ length: count }, (_, i) => ({ id: from + i, ts: `2024-01-0${day}T${String(i % 24).padStart(2, '0')}:00:00Z`, kind: `k${(from + i) % 3}`, value: (from + i) * 0.5 }));

/** Rows after the kind → event_type rename. */
const renamed = ({ kind, ...rest }: ReturnType<typeof events>[number]) => ({ ...rest, event_type: kind });

for (const store of STORES) {
  for (const kind of WAREHOUSES) {
    describe(`table operations (${store}, ${kind} warehouse)`, () => {
      let t: TestWarehouse;
      let table: Table;
      before(async () => {
        t = await openTestWarehouse(store, kind);
        table = await t.warehouse.createTable(
          { namespace: ['analytics'], name: 'events' },
          EVENTS_TABLE,
        );
      });
      after(() => t.close());

      it('appends rows as zstd Parquet with field ids, partitioned and sorted, with metrics', async () => {
        await t.data.appendRows(table, [...events(0, 10, 1), ...events(10, 10, 2)]);
        const files = await table.dataFiles();
        assert.equal(files.length, 2);
        assert.deepEqual(files.map((f) => f.recordCount).sort(), [10, 10]);
        for (const f of files) {
          assert.ok(f.lowerBounds?.get(1) && f.upperBounds?.get(1), 'id bounds recorded');
          assert.equal(f.nullValueCounts?.get(1), 0);
          assert.equal(f.sortOrderId, 1);
          assert.match(f.filePath, /\/data\/ts_day=2024-01-0[12]\//);
          // DuckDB reads every data file, and sees the Iceberg field ids and zstd.
          const local = await table.io.localPath(f.filePath);
          const meta = await t.session.jsonRows(`SELECT DISTINCT compression FROM parquet_metadata('${local}')`);
          assert.deepEqual(meta.map((m) => m.compression), ['ZSTD']);
          const ids = await t.session.jsonRows(`SELECT name, field_id FROM parquet_schema('${local}') WHERE field_id IS NOT NULL ORDER BY field_id`);
          assert.deepEqual(ids.map((r) => [r.name, Number(r.field_id)]), [['id', 1], ['ts', 2], ['kind', 3], ['value', 4]]);
          const sorted = await t.session.jsonRows(`SELECT count(*) AS n FROM (SELECT id, lag(id) OVER () AS p FROM read_parquet('${local}')) WHERE id < p`);
          assert.equal(Number(sorted[0].n), 0);
        }
        assert.equal(await table.newScan().countFromMetadata(), 20);
      });

      it('prunes files by partition and by column statistics', async () => {
        const byDay = await table.newScan().filter(and(gtEq('ts', '2024-01-02T00:00:00Z'), lt('ts', '2024-01-03T00:00:00Z'))).planFiles();
        assert.equal(byDay.files.length, 1);
        assert.equal(byDay.metrics.filesSkippedByPartition, 1);
        const byId = await table.newScan().filter(eq('id', 3)).planFiles();
        assert.equal(byId.files.length, 1);
        assert.equal(byId.metrics.filesSkippedByMetrics, 1);
        const none = await table.newScan().filter(eq('id', 1000)).planFiles();
        assert.equal(none.files.length, 0);
      });

      it('overwrites a partition, deletes a partition, and travels back in time', async () => {
        const before = table.currentSnapshot()!;
        await t.data.overwriteRows(table, and(gtEq('ts', '2024-01-02T00:00:00Z'), lt('ts', '2024-01-03T00:00:00Z')), events(100, 3, 2));
        let rows = await t.data.readRows(table, table.newScan(), 'id');
        assert.equal(rows.length, 13);
        assert.deepEqual(rows.slice(-3).map((r) => Number(r.id)), [100, 101, 102]);
        assert.equal(table.currentSnapshot()!.summary.operation, 'overwrite');

        await table.newDelete().deleteByPartition(eq('ts_day', '2024-01-01')).commit();
        rows = await t.data.readRows(table, table.newScan(), 'id');
        assert.deepEqual(rows.map((r) => Number(r.id)), [100, 101, 102]);
        assert.equal(table.currentSnapshot()!.summary.operation, 'delete');

        const old = await t.data.readRows(table, table.newScan().useSnapshot(before.snapshotId), 'id');
        assert.equal(old.length, 20);
        const asOf = await t.data.readRows(table, table.newScan().asOfTime(before.timestampMs), 'id');
        assert.equal(asOf.length, 20);
      });

      it('evolves the schema and reads old files by field id', async () => {
        await table.updateSchema().addColumn('country', 'string').renameColumn('kind', 'event_type').commit();
        await t.data.appendRows(table, [{ id: 200, ts: '2024-01-05T00:00:00Z', event_type: 'k9', value: 1, country: 'NL' }]);
        const rows = await t.data.readRows(table, table.newScan(), 'id');
        assert.equal(rows.length, 4);
        assert.equal(rows[0].event_type, 'k1');
        assert.equal(rows[0].country, null);
        assert.equal(rows[3].country, 'NL');
      });

      it('compacts small files into one per partition and keeps every row', async () => {
        for (let i = 0; i < 3; i++) await t.data.appendRows(table, events(300 + i * 10, 5, 6).map(renamed));
        const beforeFiles = (await table.dataFiles()).filter((f) => f.filePath.includes('ts_day=2024-01-06'));
        assert.equal(beforeFiles.length, 3);
        const count = await table.newScan().countFromMetadata();
        const result = await t.data.compact(table, { smallFileBytes: 1_000_000 });
        assert.equal(result?.snapshot.summary.operation, 'replace');
        const afterFiles = (await table.dataFiles()).filter((f) => f.filePath.includes('ts_day=2024-01-06'));
        assert.equal(afterFiles.length, 1);
        assert.equal(await table.newScan().countFromMetadata(), count);
      });

      it('expires old snapshots and deletes only unreachable files', async () => {
        const live = new Set((await table.dataFiles()).map((f) => f.filePath));
        const result = await table.expireSnapshots().expireOlderThan(Date.now() + 1000).retain(1).commit();
        assert.ok(result.expiredSnapshotIds.length > 0);
        assert.ok(result.deletedDataFiles > 0);
        assert.equal(table.metadata().snapshots.length, 1);
        for (const f of live) assert.ok(await table.io.exists(f), `live file ${f} kept`);
        assert.equal((await t.data.readRows(table)).length, await table.newScan().countFromMetadata());
      });

      it('fails an overwrite whose files a concurrent commit removed, and retries appends', async () => {
        const other = await t.warehouse.loadTable({ namespace: ['analytics'], name: 'events' });
        const files = await table.dataFiles();
        const rewrite = table.newRewrite().deleteFile(files[0]);
        await other.newDelete().deleteFile(files[0]).commit();
        await assert.rejects(rewrite.commit(), CommitConflictError);
        const stale = await t.warehouse.loadTable({ namespace: ['analytics'], name: 'events' });
        const files600 = await t.data.write(stale, rowsSource(events(600, 1, 7).map(renamed), stale.schema(), t.dir));
        await t.data.appendRows(other, events(500, 1, 7).map(renamed));
        const appended = await stale.newAppend().appendFiles(files600).commit();
        assert.equal(appended.attempts, 2, 'the stale append lost the first swap and retried on the new base');
        const ids = (await t.data.readRows(await table.refresh(), table.newScan())).map((r) => Number(r.id));
        assert.ok(ids.includes(500) && ids.includes(600));
      });
    });
  }
}
