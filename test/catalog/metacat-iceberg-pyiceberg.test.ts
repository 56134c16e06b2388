import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STORES } from '../support/stores.ts';
import { openRestServer, type RestServer } from './iceberg-rest-support.ts';

/**
 * One source of truth: a table PyIceberg writes through /iceberg/v1 (`type=rest`) is the table
 * /mds/v1 shows in its `warehouse` catalog, and names changed on either side are seen on the other.
 */

type Json = Record<string, unknown> & { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

const CREATE_AND_APPEND = `
import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, LongType, StringType, DoubleType
from pyiceberg.partitioning import PartitionSpec, PartitionField
from pyiceberg.transforms import IdentityTransform

namespaces = [list(n) for n in cat.list_namespaces()]
cat.create_namespace('fromrest')
schema = Schema(NestedField(1, 'id', LongType(), required=True), NestedField(2, 'country', StringType()), NestedField(3, 'amount', DoubleType()))
spec = PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name='country'))
tbl = cat.create_table('shop.orders', schema=schema, partition_spec=spec)
arrow = pa.schema([pa.field('id', pa.int64(), nullable=False), pa.field('country', pa.string()), pa.field('amount', pa.float64())])
tbl.append(pa.Table.from_pylist([{'id': 1, 'country': 'NL', 'amount': 1.0}, {'id': 2, 'country': 'US', 'amount': 2.0}], schema=arrow))
tbl.append(pa.Table.from_pylist([{'id': 3, 'country': 'BR', 'amount': 3.0}, {'id': 4, 'country': 'NL', 'amount': 4.0}], schema=arrow))
tbl = cat.load_table('shop.orders')
print(json.dumps({'namespaces': namespaces, 'location': tbl.metadata_location, 'snapshot': str(tbl.current_snapshot().snapshot_id)}))
`;

const AFTER_MDS_RENAME = `
tables = [list(t) for t in cat.list_tables('shop')]
rows = len(cat.load_table('shop.renamed').scan().to_arrow())
cat.rename_table('shop.renamed', 'shop.sales')
cat.create_table('shop.scratch', schema=cat.load_table('shop.sales').schema())
print(json.dumps({'tables': tables, 'rows': rows}))
`;

const AFTER_MDS_DROP = `
exists = cat.table_exists('shop.sales')
cat.drop_table('shop.scratch')
print(json.dumps({'exists': exists, 'tables': [list(t) for t in cat.list_tables('shop')]}))
`;

// A second client that names its user in the identity header /mds/v1 also reads.
const AS_ANA = `
ana = RestCatalog('quarry', **{**cat.properties, 'header.X-Netflix.user.name': 'ana'})
ana.create_namespace('anas')
tbl = ana.create_table('anas.notes', schema=pa.schema([pa.field('id', pa.int64(), nullable=False), pa.field('kind', pa.string())]))
tbl.append(pa.Table.from_pylist([{'id': 1, 'kind': 'x'}], schema=tbl.schema().as_arrow()))
cat.load_table('anas.notes').transaction().set_properties(by='nobody').commit_transaction()
print(json.dumps({'ok': True}))
`;

for (const store of STORES) {
  describe(`PyIceberg and /mds/v1 share the warehouse's Iceberg tables (${store})`, () => {
    let s: RestServer;
    before(async () => {
      s = await openRestServer(store, 'folder');
    });
    after(() => s?.close());

    async function call(method: string, url: string, payload?: unknown): Promise<{ status: number; body: Json }> {
      const res = await s.t.app.inject({ method: method as 'GET', url: `/mds/v1${url}`, ...(payload !== undefined ? { payload: payload as object } : {}) });
      return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Json) : {} };
    }
    const tableUrl = (table: string) => `/catalog/warehouse/database/shop/table/${table}`;

    it('a PyIceberg table appears in /mds/v1 with columns and partitions; renames and drops cross over', async () => {
      assert.equal((await call('POST', '/catalog/warehouse/database/shop')).status, 201);
      const written = await s.pythonJson<{ namespaces: string[][]; location: string; snapshot: string }>(CREATE_AND_APPEND);
      assert.deepEqual(written.namespaces, [['shop']], 'a database created through /mds/v1 is a namespace for PyIceberg');
      assert.equal((await call('GET', '/catalog/warehouse/database/fromrest')).status, 200, 'a namespace created by PyIceberg is a database');

      const table = await call('GET', tableUrl('orders'));
      assert.equal(table.status, 200, JSON.stringify(table.body));
      assert.deepEqual(
        table.body.fields.map((f: Json) => [f.name, f.type, f.partition_key, f.isNullable]),
        [
          ['id', 'bigint', false, false],
          ['country', 'string', true, true],
          ['amount', 'double', false, true],
        ],
      );
      assert.equal(table.body.metadata.metadata_location, written.location);
      assert.equal(table.body.metadata.current_snapshot_id, written.snapshot);
      assert.deepEqual((await call('GET', '/catalog/warehouse/database/shop?includeTableNames=true')).body.tables, ['orders']);

      const partitions = `/partition${tableUrl('orders')}`;
      assert.deepEqual((await call('GET', `${partitions}/keys`)).body, ['country=BR', 'country=NL', 'country=US']);
      assert.equal((await call('GET', `${partitions}/count`)).body, 3);
      const nl = await call('GET', `${partitions}?filter=${encodeURIComponent('country == "NL"')}`);
      assert.deepEqual(nl.body.map((p: Json) => p.name.partitionName), ['country=NL']);
      assert.equal(nl.body[0].metadata.numRows, '2');
      assert.match(nl.body[0].serde.uri, /^file:\/\/shop\.orders\/country=NL\/snapshot_time=\d+$/);
      assert.deepEqual((await call('GET', `${partitions}/keys?filter=${encodeURIComponent('country not in ("NL", "US")')}`)).body, ['country=BR']);

      assert.equal((await call('POST', `${tableUrl('orders')}/rename?newTableName=renamed`)).status, 204);
      const renamed = await s.pythonJson<{ tables: string[][]; rows: number }>(AFTER_MDS_RENAME);
      assert.deepEqual(renamed.tables, [['shop', 'renamed']]);
      assert.equal(renamed.rows, 4);
      assert.equal((await call('GET', tableUrl('renamed'))).status, 404, 'PyIceberg renamed it away');
      assert.equal((await call('GET', tableUrl('sales'))).status, 200);
      assert.equal((await call('GET', tableUrl('scratch'))).status, 200);

      assert.equal((await call('DELETE', tableUrl('sales'))).status, 200);
      const dropped = await s.pythonJson<{ exists: boolean; tables: string[][] }>(AFTER_MDS_DROP);
      assert.equal(dropped.exists, false);
      assert.deepEqual(dropped.tables, []);
      assert.equal((await call('GET', tableUrl('scratch'))).status, 404, 'PyIceberg dropped it');
      assert.equal((await call('DELETE', '/catalog/warehouse/database/shop')).status, 204);
      const namespaces = await s.pythonJson<{ namespaces: string[][] }>(`print(json.dumps({'namespaces': [list(n) for n in cat.list_namespaces()]}))`);
      assert.deepEqual(namespaces.namespaces, [['fromrest']]);
    });

    it('names the user of X-Netflix.user.name in the events of a PyIceberg client that sends it', async () => {
      await s.pythonJson(`import pyarrow as pa\n${AS_ANA}`);
      const events = (await s.t.platform.catalog.eventLog.readAfter(0, 1000)).filter((e) => e.name.startsWith('warehouse/anas'));
      assert.deepEqual(
        events.map((e) => `${e.type} ${e.name} ${e.user}`),
        [
          'DATABASE_CREATE warehouse/anas ana',
          'TABLE_CREATE warehouse/anas/notes ana',
          'TABLE_UPDATE warehouse/anas/notes ana',
          'TABLE_UPDATE warehouse/anas/notes iceberg-rest', // the client without the header
        ],
      );
    });
  });
}
