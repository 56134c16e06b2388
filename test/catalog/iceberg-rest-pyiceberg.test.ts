import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STORES } from '../support/stores.ts';
import { openRestServer, WAREHOUSES, type RestServer } from './iceberg-rest-support.ts';

interface Row {
  id: number;
  label: string | null;
  ts: string;
  amount: number;
  country: string | null;
}

/** A DuckDB timestamptz as text (`2024-01-01 00:00:00+00`) or PyIceberg's ISO form, as epoch ms. */
function instant(value: unknown): number {
  return Date.parse(String(value).replace(' ', 'T').replace(/\+00$/, 'Z'));
}

const EVENTS_SCRIPT = `
import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, LongType, StringType, TimestamptzType, DoubleType
from pyiceberg.partitioning import PartitionSpec, PartitionField
from pyiceberg.transforms import DayTransform
from pyiceberg.expressions import EqualTo, GreaterThanOrEqual

cat.create_namespace('analytics', {'owner': 'data-team', 'tier': 'gold'})
cat.create_namespace(('analytics', 'raw'))
summary = cat.update_namespace_properties('analytics', removals={'tier', 'nope'}, updates={'retention': '30d'})

schema = Schema(NestedField(1, 'id', LongType(), required=True), NestedField(2, 'name', StringType()),
                NestedField(3, 'ts', TimestamptzType()), NestedField(4, 'amount', DoubleType()))
spec = PartitionSpec(PartitionField(source_id=3, field_id=1000, transform=DayTransform(), name='ts_day'))
tbl = cat.create_table('analytics.events', schema=schema, partition_spec=spec)
utc = datetime.timezone.utc
def batch(rows, extra=()):
    fields = [pa.field('id', pa.int64(), nullable=False), pa.field('label' if extra else 'name', pa.string()),
              pa.field('ts', pa.timestamp('us', tz='UTC')), pa.field('amount', pa.float64())] + list(extra)
    return pa.Table.from_pylist(rows, schema=pa.schema(fields))
tbl.append(batch([{'id': i, 'name': f'n{i}', 'ts': datetime.datetime(2024, 1, 1 + i % 3, 6, tzinfo=utc), 'amount': i * 1.5} for i in range(6)]))
tbl.append(batch([{'id': 10, 'name': 'ten', 'ts': datetime.datetime(2024, 1, 5, tzinfo=utc), 'amount': 15.0}]))

with tbl.update_schema() as update:
    update.add_column('country', StringType())
    update.rename_column('name', 'label')
country = [pa.field('country', pa.string())]
tbl.append(batch([{'id': 20, 'label': 'twenty', 'ts': datetime.datetime(2024, 2, 1, tzinfo=utc), 'amount': 20.0, 'country': 'NL'},
                  {'id': 21, 'label': 'twenty-one', 'ts': datetime.datetime(2024, 2, 2, tzinfo=utc), 'amount': 21.0, 'country': 'US'}], country))
tbl.delete(EqualTo('id', 2))
tbl.overwrite(batch([{'id': 30, 'label': 'thirty', 'ts': datetime.datetime(2024, 3, 1, tzinfo=utc), 'amount': 30.0, 'country': 'BR'}], country),
              overwrite_filter=GreaterThanOrEqual('id', 20))

tbl = cat.load_table('analytics.events')
print(json.dumps({
    'namespaces': [list(n) for n in cat.list_namespaces()],
    'children': [list(n) for n in cat.list_namespaces('analytics')],
    'summary': {'removed': sorted(summary.removed), 'updated': sorted(summary.updated), 'missing': sorted(summary.missing)},
    'props': cat.load_namespace_properties('analytics'),
    'tables': [list(t) for t in cat.list_tables('analytics')],
    'exists': [cat.table_exists('analytics.events'), cat.table_exists('analytics.nope'), cat.namespace_exists('analytics'), cat.namespace_exists('nope')],
    'rows': rows_of(tbl),
    'snapshots': [[str(s.snapshot_id), s.summary.operation.value] for s in tbl.snapshots()],
    'schema': [[f.field_id, f.name, str(f.field_type)] for f in tbl.schema().fields],
    'spec': [[f.field_id, f.name, str(f.transform)] for f in tbl.spec().fields],
    'location': tbl.metadata_location,
}))
`;

for (const store of STORES) {
  for (const kind of WAREHOUSES) {
    describe(`Iceberg REST catalog with PyIceberg (${store}, ${kind} warehouse)`, () => {
      let s: RestServer;
      before(async () => {
        s = await openRestServer(store, kind);
      });
      after(() => s.close());

      it('PyIceberg creates, appends, evolves, deletes and overwrites; Quarry reads the same rows and history', async () => {
        const out = await s.pythonJson<{
          namespaces: string[][];
          children: string[][];
          summary: Record<string, string[]>;
          props: Record<string, string>;
          tables: string[][];
          exists: boolean[];
          rows: Row[];
          snapshots: [string, string][];
          schema: [number, string, string][];
          spec: [number, string, string][];
          location: string;
        }>(EVENTS_SCRIPT);

        assert.deepEqual(out.namespaces, [['analytics']]);
        assert.deepEqual(out.children, [['analytics', 'raw']]);
        assert.deepEqual(out.summary, { removed: ['tier'], updated: ['retention'], missing: ['nope'] });
        assert.deepEqual(out.props, { location: `${s.t.config.warehouse.replace(/\/+$/, '')}/analytics.db`, owner: 'data-team', retention: '30d' });
        assert.deepEqual(out.tables, [['analytics', 'events']]);
        assert.deepEqual(out.exists, [true, false, true, false]);
        assert.deepEqual(out.schema, [[1, 'id', 'long'], [2, 'label', 'string'], [3, 'ts', 'timestamptz'], [4, 'amount', 'double'], [5, 'country', 'string']]);
        assert.deepEqual(out.spec, [[1000, 'ts_day', 'day']]);
        assert.deepEqual(
          out.rows.map((r) => r.id),
          [0, 1, 3, 4, 5, 10, 30],
        );
        // delete(id = 2) rewrites a file (overwrite); overwrite(id >= 20) drops whole files, then appends.
        assert.deepEqual(
          out.snapshots.map(([, op]) => op),
          ['append', 'append', 'append', 'overwrite', 'delete', 'append'],
        );

        // Quarry's own read path (what `quarry table` uses): Warehouse.loadTable → scan → DuckDB.
        const table = await s.warehouse.loadTable({ namespace: ['analytics'], name: 'events' });
        assert.equal(table.metadataLocation(), out.location);
        assert.deepEqual(
          table.metadata().snapshots.map((snap) => [snap.snapshotId.toString(), snap.summary.operation]),
          out.snapshots,
        );
        const ours = await s.data.readRows(table, table.newScan(), 'id');
        assert.equal(ours.length, out.rows.length);
        for (const [i, r] of out.rows.entries()) {
          assert.equal(Number(ours[i].id), r.id);
          assert.equal(ours[i].label, r.label);
          assert.equal(ours[i].country, r.country);
          assert.equal(Number(ours[i].amount), r.amount);
          assert.equal(instant(ours[i].ts), instant(r.ts));
        }
        // The partitioning PyIceberg wrote is the one Quarry prunes with.
        const plan = await table.newScan().filter({ op: 'eq', column: 'ts', value: '2024-01-05T00:00:00Z' }).planFiles();
        assert.equal(plan.files.length, 1);
        assert.equal(await table.newScan().countFromMetadata(), 7);
      });

      it('PyIceberg reads and appends to a Quarry table, renames it, and drops it with purge', async () => {
        const created = await s.warehouse.createTable(
          { namespace: ['shared'], name: 'people' },
          { schema: [{ name: 'id', type: 'long', required: true }, { name: 'name', type: 'string' }], partitionBy: [{ column: 'id', transform: 'bucket[4]' }] },
        );
        await s.data.appendRows(created, [
          { id: 1, name: 'a' },
          { id: 2, name: 'b' },
        ]);
        const out = await s.pythonJson<{ before: { id: number; name: string }[]; after: number[]; old: boolean; location: string }>(`
import pyarrow as pa
tbl = cat.load_table('shared.people')
before = rows_of(tbl)
tbl.append(pa.Table.from_pylist([{'id': 100, 'name': 'py'}], schema=pa.schema([pa.field('id', pa.int64(), nullable=False), pa.field('name', pa.string())])))
moved = cat.rename_table('shared.people', 'shared.persons')
print(json.dumps({'before': before, 'after': [r['id'] for r in rows_of(moved)], 'old': cat.table_exists('shared.people'), 'location': moved.location()}))
`);
        assert.deepEqual(out.before, [
          { id: 1, name: 'a' },
          { id: 2, name: 'b' },
        ]);
        assert.deepEqual(out.after, [1, 2, 100]);
        assert.equal(out.old, false);
        assert.equal(await s.warehouse.tableExists({ namespace: ['shared'], name: 'people' }), false);
        const persons = await s.warehouse.loadTable({ namespace: ['shared'], name: 'persons' });
        assert.deepEqual(
          (await s.data.readRows(persons, persons.newScan(), 'id')).map((r) => [Number(r.id), r.name]),
          [
            [1, 'a'],
            [2, 'b'],
            [100, 'py'],
          ],
        );
        assert.ok((await s.warehouse.io.list(out.location)).length > 0);

        const dropped = await s.pythonJson(`
cat.purge_table('shared.persons')
cat.drop_namespace('shared')
print(json.dumps({'tables': cat.table_exists('shared.persons'), 'namespaces': [list(n) for n in cat.list_namespaces()]}))
`);
        assert.equal(dropped.tables, false);
        assert.equal(await s.warehouse.tableExists({ namespace: ['shared'], name: 'persons' }), false);
        assert.deepEqual(await s.warehouse.io.list(out.location), [], 'purge deleted every data and metadata file');
      });

      it('PyIceberg commits a staged create transaction and registers an existing metadata file', async () => {
        const out = await s.pythonJson<{ rows: { id: number; v: string }[]; location: string; staged: boolean; registered: number[] }>(`
import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, LongType, StringType
cat.create_namespace('staging')
schema = Schema(NestedField(1, 'id', LongType(), required=True), NestedField(2, 'v', StringType()))
with cat.create_table_transaction('staging.ctas', schema=schema, properties={'purpose': 'ctas'}) as tx:
    tx.append(pa.Table.from_pylist([{'id': 1, 'v': 'x'}, {'id': 2, 'v': 'y'}], schema=pa.schema([pa.field('id', pa.int64(), nullable=False), pa.field('v', pa.string())])))
    staged = cat.table_exists('staging.ctas')
tbl = cat.load_table('staging.ctas')
location = tbl.metadata_location
cat.drop_table('staging.ctas')
again = cat.register_table('staging.again', location)
print(json.dumps({'rows': rows_of(tbl), 'location': location, 'staged': staged, 'registered': [r['id'] for r in rows_of(again)]}))
`);
        assert.equal(out.staged, false, 'a staged table does not exist until its transaction commits');
        assert.deepEqual(out.rows, [
          { id: 1, v: 'x' },
          { id: 2, v: 'y' },
        ]);
        assert.deepEqual(out.registered, [1, 2]);
        const again = await s.warehouse.loadTable({ namespace: ['staging'], name: 'again' });
        assert.equal(again.metadataLocation(), out.location);
        assert.equal(again.metadata().properties.purpose, 'ctas');
        assert.equal(await again.newScan().countFromMetadata(), 2);
      });
    });
  }
}
