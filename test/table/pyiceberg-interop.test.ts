import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runPython } from '../support/python.ts';
import { STORES } from '../support/stores.ts';
import { catalogPrelude, openTestWarehouse, WAREHOUSES, type TestWarehouse } from './warehouse-support.ts';

for (const store of STORES) {
  for (const kind of WAREHOUSES) {
    describe(`PyIceberg interoperability (${store}, ${kind} warehouse)`, () => {
      let t: TestWarehouse;
      before(async () => {
        t = await openTestWarehouse(store, kind);
      });
      after(() => t.close());

      it('PyIceberg reads a Quarry table (identity, day and bucket partitions, schema evolution) with the same rows, schema and history', async () => {
        const table = await t.warehouse.createTable(
          { namespace: ['interop'], name: 'events' },
          {
            schema: [
              { name: 'id', type: 'int', required: true },
              { name: 'ts', type: 'timestamptz' },
              { name: 'country', type: 'string' },
              { name: 'amount', type: 'decimal(10,2)' },
              { name: 'score', type: 'float' },
            ],
            partitionBy: [{ column: 'country' }, { column: 'ts', transform: 'day' }, { column: 'id', transform: 'bucket[8]' }],
            sortBy: [{ column: 'ts' }],
          },
        );
        const rows = Array.from({ length: 30 }, (_, i) => ({ id: i, ts: `2024-03-0${1 + (i % 3)}T0${i % 10}:15:00Z`, country: ['NL', 'US', 'BR'][i % 3], amount: `${i}.25`, score: i / 4 }));
        await t.data.appendRows(table, rows.slice(0, 20));
        await t.data.appendRows(table, rows.slice(20));
        await table.updateSchema().renameColumn('country', 'region').widenColumn('id', 'long').widenColumn('score', 'double').widenColumn('amount', 'decimal(12,2)').addColumn('note', 'string').commit();
        await t.data.appendRows(table, [{ id: 100, ts: '2024-03-09T00:00:00Z', region: 'NL', amount: '1.00', score: 2.5, note: 'after evolution' }]);

        const ours = await t.data.readRows(table, table.newScan(), 'id');
        const py = await runPython(
          (await catalogPrelude(t, kind)) +
            `
from pyiceberg.expressions import EqualTo
tbl = cat.load_table('interop.events')
rows = sorted(tbl.scan().to_arrow().to_pylist(), key=lambda r: r['id'])
out = {
  'schema': [[f.field_id, f.name, str(f.field_type), f.required] for f in tbl.schema().fields],
  'spec': [[f.field_id, f.name, str(f.transform), f.source_id] for f in tbl.spec().fields],
  'rows': [{k: plain(v) for k, v in r.items()} for r in rows],
  'snapshots': [[str(s.snapshot_id), s.summary.operation.value, s.summary['total-records']] for s in tbl.snapshots()],
  'pruned': len(list(tbl.scan(row_filter=EqualTo('region', 'NL')).plan_files())),
  'bucket_pruned': len(list(tbl.scan(row_filter=EqualTo('id', 7)).plan_files())),
  'all_files': len(list(tbl.scan().plan_files())),
}
print(json.dumps(out))
`,
        );
        assert.equal(py.code, 0, py.stderr);
        const out = JSON.parse(py.stdout.trim().split('\n').pop()!);
        assert.deepEqual(out.schema, [
          [1, 'id', 'long', true],
          [2, 'ts', 'timestamptz', false],
          [3, 'region', 'string', false],
          [4, 'amount', 'decimal(12, 2)', false],
          [5, 'score', 'double', false],
          [6, 'note', 'string', false],
        ]);
        assert.deepEqual(out.spec, [[1000, 'country', 'identity', 3], [1001, 'ts_day', 'day', 2], [1002, 'id_bucket', 'bucket[8]', 1]]);
        assert.deepEqual(out.snapshots, table.history().map((s) => [s.snapshotId.toString(), s.summary.operation, s.summary['total-records']]));
        assert.equal(out.rows.length, ours.length);
        for (const [i, r] of out.rows.entries()) {
          assert.equal(Number(r.id), Number(ours[i].id));
          assert.equal(r.region, ours[i].region);
          assert.equal(Number(r.amount), Number(ours[i].amount));
          assert.equal(Date.parse(r.ts), Date.parse(String(ours[i].ts).replace(' ', 'T').replace(/\+00$/, 'Z')));
          assert.equal(r.score, ours[i].score);
        }
        assert.ok(out.pruned < out.all_files, 'PyIceberg pruned by our identity partition values');
        assert.ok(out.bucket_pruned < out.all_files, 'PyIceberg pruned by our bucket values (same murmur3 hash)');
      });

      it('Quarry reads and appends to a table PyIceberg wrote in the same catalog', async () => {
        const py = await runPython(
          (await catalogPrelude(t, kind)) +
            `
import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, LongType, StringType, DateType
from pyiceberg.partitioning import PartitionSpec, PartitionField
from pyiceberg.transforms import IdentityTransform
schema = Schema(NestedField(1, 'id', LongType(), required=False), NestedField(2, 'name', StringType(), required=False), NestedField(3, 'day', DateType(), required=False))
spec = PartitionSpec(PartitionField(source_id=3, field_id=1000, transform=IdentityTransform(), name='day'))
try:
    cat.create_namespace('py')
except Exception:
    pass
tbl = cat.create_table('py.people', schema=schema, partition_spec=spec)
tbl.append(pa.table({'id': pa.array([1, 2, 3], pa.int64()), 'name': ['a', 'b', 'c'], 'day': [datetime.date(2024, 5, 1), datetime.date(2024, 5, 1), datetime.date(2024, 5, 2)]}))
tbl.append(pa.table({'id': pa.array([4], pa.int64()), 'name': ['d'], 'day': [datetime.date(2024, 5, 3)]}))
print(json.dumps({'metadata': tbl.metadata_location}))
`,
        );
        assert.equal(py.code, 0, py.stderr);
        const table = await t.warehouse.loadTable({ namespace: ['py'], name: 'people' });
        assert.equal(table.history().length, 2);
        const rows = await t.data.readRows(table, table.newScan(), 'id');
        assert.deepEqual(rows.map((r) => [Number(r.id), r.name, r.day]), [[1, 'a', '2024-05-01'], [2, 'b', '2024-05-01'], [3, 'c', '2024-05-02'], [4, 'd', '2024-05-03']]);
        const plan = await table.newScan().filter({ op: 'eq', column: 'day', value: '2024-05-02' }).planFiles();
        assert.equal(plan.files.length, 1);
        assert.equal(await table.newScan().countFromMetadata(), 4);
        // The static-table path reads the same metadata file directly.
        const fixed = await t.warehouse.staticTable(JSON.parse(py.stdout.trim().split('\n').pop()!).metadata);
        assert.equal(await fixed.newScan().countFromMetadata(), 4);
        // And Quarry's commit lands in the table PyIceberg made; PyIceberg sees it.
        await t.data.appendRows(table, [{ id: 5, name: 'e', day: '2024-05-04' }]);
        const check = await runPython((await catalogPrelude(t, kind)) + `print(cat.load_table('py.people').scan().to_arrow().num_rows)`);
        assert.equal(check.stdout.trim().split('\n').pop(), '5', check.stderr);
      });
    });
  }
}
