import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import type { Table } from '../../src/table/table.ts';
import type { Warehouse } from '../../src/warehouse/warehouse.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { createTestBucket, testS3Config } from '../support/s3-server.ts';
import { STORES } from '../support/stores.ts';
import { WAREHOUSES } from '../table/warehouse-support.ts';

/**
 * Quarry's Iceberg tables through /mds/v1 (reference/metacat.md §5 and acceptance case 20): the
 * `warehouse` catalog reads and commits the same pointers as the Iceberg REST catalog, with real
 * metadata files written by Quarry's Warehouse, on a local folder and on an S3 server.
 */

type Json = Record<string, unknown> & { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

for (const store of STORES) {
  for (const kind of WAREHOUSES) {
    describe(`Iceberg tables in the Metacat warehouse catalog on ${store} (${kind} warehouse)`, () => {
      const scheme = kind === 's3' ? 's3' : 'file';
      let t: TestPlatform;
      let warehouse: Warehouse;
      let session: DuckDbSession;
      let data: TableData;
      let source: Table;
      let l0: string;
      let l1: string;
      let l1Snapshot: string;

      before(async () => {
        const s3 = kind === 's3' ? await testS3Config() : undefined;
        t = await openTestPlatform(store, { catalogs: [{ name: 'h', connector: 'warehouse' }], ...(s3 ? { warehouse: `${await createTestBucket()}/warehouse`, s3 } : {}) });
        warehouse = t.platform.icebergCatalog.warehouse;
        session = await DuckDbSession.open({ memoryLimit: '256MB' });
        data = new TableData(session);
        // The source of real metadata files: L0 is the empty table, L1 the table after one append.
        source = await warehouse.createTable(
          { namespace: ['files'], name: 'src' },
          {
            schema: [
              { name: 'id', type: 'long', required: true },
              { name: 'country', type: 'string' },
              { name: 'ts', type: 'timestamptz' },
            ],
            partitionBy: [{ column: 'country' }, { column: 'ts', transform: 'day' }],
          },
        );
        l0 = source.metadataLocation();
        await data.appendRows(source, [
          { id: 1, country: 'NL', ts: '2024-01-05T10:00:00Z' },
          { id: 2, country: 'NL', ts: '2024-01-06T10:00:00Z' },
          { id: 3, country: 'US', ts: '2024-01-05T11:00:00Z' },
          { id: 4, country: null, ts: '2024-01-07T11:00:00Z' },
        ]);
        l1 = source.metadataLocation();
        l1Snapshot = source.currentSnapshot()!.snapshotId.toString();
      });
      after(async () => {
        session?.close();
        await t?.close();
      });

      async function call(method: string, url: string, payload?: unknown): Promise<{ status: number; body: Json }> {
        const res = await t.app.inject({ method: method as 'GET', url: `/mds/v1${url}`, ...(payload !== undefined ? { payload: payload as object } : {}) });
        let body: Json = {};
        try {
          body = res.body ? (JSON.parse(res.body) as Json) : {};
        } catch {
          body = { text: res.body };
        }
        return { status: res.statusCode, body };
      }

      const tableUrl = (db: string, table: string, catalog = 'warehouse') => `/catalog/${catalog}/database/${db}/table/${table}`;
      const partitionUrl = (db: string, table: string) => `/partition/catalog/warehouse/database/${db}/table/${table}`;
      const iceberg = (db: string, table: string, location: string) => ({
        name: { catalogName: 'warehouse', databaseName: db, tableName: table },
        metadata: { table_type: 'ICEBERG', metadata_location: location },
      });

      it('shows the pointer store: namespaces are databases, pointers are tables, beside Hive rows', async () => {
        const db = await call('GET', '/catalog/warehouse/database/files?includeTableNames=true');
        assert.equal(db.status, 200, JSON.stringify(db.body));
        assert.deepEqual(db.body.tables, ['src']);
        assert.ok((await call('GET', '/catalog/warehouse?includeDatabaseNames=true')).body.databases.includes('files'));
        const hive = await call('POST', tableUrl('files', 'hive_t'), { name: { catalogName: 'warehouse', databaseName: 'files', tableName: 'hive_t' }, fields: [{ name: 'a', type: 'string' }] });
        assert.equal(hive.status, 201, JSON.stringify(hive.body));
        assert.deepEqual((await call('GET', '/catalog/warehouse/database/files?includeTableNames=true')).body.tables, ['hive_t', 'src']);
        // Other warehouse catalogs stay Hive-only.
        assert.equal((await call('GET', '/catalog/h/database/files')).status, 404);

        const table = await call('GET', tableUrl('files', 'src'));
        assert.equal(table.status, 200);
        assert.deepEqual(
          table.body.fields.map((f: Json) => [f.name, f.type, f.source_type, f.partition_key]),
          [
            ['id', 'bigint', 'long', false],
            ['country', 'string', 'string', true],
            ['ts', 'timestamp', 'timestamptz', true],
          ],
        );
        assert.deepEqual(table.body.partition_keys, ['country', 'ts']);
        assert.equal(table.body.serde.uri, source.location());
        assert.equal(table.body.metadata.table_type, 'ICEBERG');
        assert.equal(table.body.metadata.metadata_location, l1);
        assert.equal(table.body.metadata.previous_metadata_location, l0);
        assert.equal(table.body.metadata.current_snapshot_id, l1Snapshot);
        assert.equal(table.body.metadata.table_version, '2');
        assert.deepEqual(JSON.parse(table.body.metadata.branches), { main: l1Snapshot });
        const found = await call('GET', '/search/table?q=src');
        assert.ok(found.body.some((t: Json) => t.name.qualifiedName === 'warehouse/files/src'));
      });

      it('shows mixed-case Iceberg names under their Metacat spelling (lower case), for reads and writes', async () => {
        // PyIceberg and Spark keep the case a user typed; Metacat names are lower case.
        const orders = await warehouse.createTable(
          { namespace: ['Sales'], name: 'Orders' },
          { schema: [{ name: 'id', type: 'long', required: true }, { name: 'country', type: 'string' }], partitionBy: [{ column: 'country' }] },
        );
        await data.appendRows(orders, [{ id: 1, country: 'NL' }]);
        assert.ok((await call('GET', '/catalog/warehouse?includeDatabaseNames=true')).body.databases.includes('sales'));
        assert.deepEqual((await call('GET', '/catalog/warehouse/database/sales?includeTableNames=true')).body.tables, ['orders']);
        const got = await call('GET', tableUrl('sales', 'orders'));
        assert.equal(got.status, 200, JSON.stringify(got.body));
        assert.equal(got.body.metadata.metadata_location, orders.metadataLocation());
        assert.deepEqual((await call('GET', `${partitionUrl('sales', 'orders')}/keys`)).body, ['country=NL']);
        assert.ok((await call('GET', '/search/table?q=ORD')).body.some((t: Json) => t.name.qualifiedName === 'warehouse/sales/orders'));
        assert.equal((await call('POST', '/catalog/warehouse/database/sales')).status, 409, 'Sales is the database sales');
        assert.equal((await call('POST', tableUrl('sales', 'orders'), iceberg('sales', 'orders', l1))).status, 409, 'Orders is the table orders');

        // A table named exactly as Metacat spells it wins over one that only folds to the name.
        const exact = await warehouse.createTable({ namespace: ['Sales'], name: 'orders' }, { schema: [{ name: 'id', type: 'long' }] });
        assert.equal((await call('GET', tableUrl('sales', 'orders'))).body.metadata.metadata_location, exact.metadataLocation());
        assert.deepEqual((await call('GET', '/catalog/warehouse/database/sales?includeTableNames=true')).body.tables, ['orders'], 'listed once');
        assert.equal((await call('DELETE', tableUrl('sales', 'orders'))).status, 200);
        assert.equal(await warehouse.tableExists({ namespace: ['Sales'], name: 'orders' }), false);

        // Writes reach the pointer the name means, in the namespace the database name means.
        assert.equal((await call('POST', `${tableUrl('sales', 'orders')}/rename?newTableName=archived`)).status, 204);
        assert.equal((await warehouse.pointers.get({ namespace: ['Sales'], name: 'archived' }))?.metadataLocation, orders.metadataLocation());
        assert.equal((await call('POST', tableUrl('sales', 'copy'), iceberg('sales', 'copy', l1))).status, 201);
        assert.equal(await warehouse.tableExists({ namespace: ['Sales'], name: 'copy' }), true);
        for (const table of ['archived', 'copy']) assert.equal((await call('DELETE', tableUrl('sales', table))).status, 200);
        assert.equal((await call('DELETE', '/catalog/warehouse/database/sales')).status, 204);
        assert.equal(await warehouse.pointers.namespaceExists(['Sales']), false);
      });

      it('acceptance case 20: create, commit with compare-and-swap, 412 on a stale base, 400 on bad files', async () => {
        assert.equal((await call('POST', '/catalog/warehouse/database/lake')).status, 201);
        assert.ok(await warehouse.pointers.namespaceExists(['lake']), 'the database is a namespace for Iceberg clients');
        const created = await call('POST', tableUrl('lake', 'events'), iceberg('lake', 'events', l0));
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.deepEqual(created.body.fields.map((f: Json) => f.name), ['id', 'country', 'ts']);
        assert.equal(created.body.metadata.current_snapshot_id, '-1');
        assert.equal((await warehouse.pointers.get({ namespace: ['lake'], name: 'events' }))?.metadataLocation, l0);

        const url = tableUrl('lake', 'events');
        const put = await call('PUT', url, { metadata: { table_type: 'ICEBERG', metadata_location: l1, previous_metadata_location: l0 } });
        assert.equal(put.status, 200, JSON.stringify(put.body));
        const read = await call('GET', url);
        assert.equal(read.body.metadata.metadata_location, l1);
        assert.equal(read.body.metadata.previous_metadata_location, l0);
        assert.equal(read.body.metadata.current_snapshot_id, l1Snapshot);

        const again = await call('PUT', url, { metadata: { metadata_location: l1, previous_metadata_location: l0 } });
        assert.equal(again.status, 412);
        assert.match(again.body.message, /is at .*, not at metadata.previous_metadata_location/);
        const missingPrevious = await call('PUT', url, { metadata: { metadata_location: l1, previous_metadata_location: `${source.location()}/metadata/00009-gone.metadata.json` } });
        assert.equal(missingPrevious.status, 400);
        assert.match(missingPrevious.body.message, /previous_metadata_location .* does not exist/);
        const noPrevious = await call('PUT', url, { metadata: { metadata_location: l0 } });
        assert.equal(noPrevious.status, 412);
        assert.match(noPrevious.body.message, /needs metadata.previous_metadata_location/);

        const hive = await call('PUT', tableUrl('files', 'hive_t'), { metadata: { metadata_location: l1, previous_metadata_location: l0 } });
        assert.equal(hive.status, 400);
        assert.match(hive.body.message, /is not an Iceberg table/);

        const only = await call('GET', `${url}?includeMetadataLocationOnly=true`);
        assert.deepEqual(only.body.fields, []);
        assert.equal(only.body.metadata.metadata_location, l1);
        assert.equal(only.body.metadata.current_snapshot_id, undefined, 'the metadata file is not read');
        const details = await call('GET', `${url}?includeInfoDetails=true`);
        // Snapshot ids are 64-bit: compare the text, as JSON.parse would round them.
        assert.match(details.body.metadata.metadata_content, new RegExp(`"current-snapshot-id"\\s*:\\s*${l1Snapshot}\\b`));
        assert.equal((await call('GET', url)).body.metadata.metadata_content, undefined);

        const types = (await t.platform.catalog.eventLog.readAfter(0, 1000)).filter((e) => e.name === 'warehouse/lake/events').map((e) => e.type);
        assert.deepEqual(types, ['TABLE_CREATE', 'TABLE_UPDATE']);
      });

      it('one of two concurrent commits from the same base wins; the other is a 412', async () => {
        assert.equal((await call('POST', tableUrl('lake', 'race'), iceberg('lake', 'race', l0))).status, 201);
        const content = await warehouse.io.read(l1);
        const a = `${source.location()}/metadata/00001-race-a.metadata.json`;
        const b = `${source.location()}/metadata/00001-race-b.metadata.json`;
        await warehouse.io.write(a, content);
        await warehouse.io.write(b, content);
        const url = tableUrl('lake', 'race');
        const results = await Promise.all([a, b].map((next) => call('PUT', url, { metadata: { metadata_location: next, previous_metadata_location: l0 } })));
        assert.deepEqual(results.map((r) => r.status).sort(), [200, 412]);
        const winner = results[0].status === 200 ? a : b;
        assert.equal((await warehouse.pointers.get({ namespace: ['lake'], name: 'race' }))?.metadataLocation, winner);
      });

      it('lists partitions from the manifests, with Metacat filters, sorting, paging, keys, uris and count', async () => {
        const url = partitionUrl('lake', 'events');
        const keys = await call('GET', `${url}/keys`);
        assert.deepEqual(keys.body, ['country=NL/ts_day=2024-01-05', 'country=NL/ts_day=2024-01-06', 'country=US/ts_day=2024-01-05', 'country=__HIVE_DEFAULT_PARTITION__/ts_day=2024-01-07']);
        assert.equal((await call('GET', `${url}/count`)).body, 4);
        assert.deepEqual((await call('GET', `${url}/keys?filter=${encodeURIComponent('country="NL"')}`)).body, ['country=NL/ts_day=2024-01-05', 'country=NL/ts_day=2024-01-06']);
        assert.deepEqual((await call('GET', `${url}/keys?filter=${encodeURIComponent("ts_day >= '2024-01-06' and country is null")}`)).body, [
          'country=__HIVE_DEFAULT_PARTITION__/ts_day=2024-01-07',
        ]);
        assert.deepEqual((await call('GET', `${url}/keys?filter=${encodeURIComponent('country like "U%" or country is null')}&sortOrder=DESC`)).body, [
          'country=__HIVE_DEFAULT_PARTITION__/ts_day=2024-01-07',
          'country=US/ts_day=2024-01-05',
        ]);
        const now = Math.trunc(Date.now() / 1000);
        assert.equal((await call('GET', `${url}/keys?filter=${encodeURIComponent(`dateCreated <= ${now + 5}`)}`)).body.length, 4);
        assert.equal((await call('GET', `${url}/keys?filter=${encodeURIComponent(`dateCreated > ${now + 5}`)}`)).body.length, 0);
        assert.deepEqual((await call('GET', `${url}/keys?offset=1&limit=2`)).body, ['country=NL/ts_day=2024-01-06', 'country=US/ts_day=2024-01-05']);
        const unknown = await call('GET', `${url}/keys?filter=${encodeURIComponent('ts="x"')}`);
        assert.equal(unknown.status, 400);
        assert.match(unknown.body.message, /Unknown partition key 'ts'.*country, ts_day, dateCreated/);

        const uris = await call('GET', `${url}/uris?filter=${encodeURIComponent('country="US"')}`);
        const snapshotSec = Math.trunc(source.currentSnapshot()!.timestampMs / 1000);
        assert.deepEqual(uris.body, [`${scheme}://lake.events/country=US/ts_day=2024-01-05/snapshot_time=${snapshotSec}`]);
        const listed = await call('GET', `${url}?filter=${encodeURIComponent('country="US"')}`);
        assert.equal(listed.body[0].name.partitionName, 'country=US/ts_day=2024-01-05');
        assert.equal(listed.body[0].metadata.numRows, '1');
        assert.equal(Date.parse(listed.body[0].audit.createdDate), source.currentSnapshot()!.timestampMs);
        const requested = await call('POST', `${url}/keys-request`, { partitionNames: ['country=US/ts_day=2024-01-05', 'country=XX/ts_day=2024-01-05'] });
        assert.deepEqual(requested.body, ['country=US/ts_day=2024-01-05']);
      });

      it('reads a snapshot\'s manifests once for every listing of it, and a new snapshot\'s afresh', async () => {
        const table = await warehouse.createTable(
          { namespace: ['lake'], name: 'polled' },
          { schema: [{ name: 'id', type: 'long', required: true }, { name: 'country', type: 'string' }], partitionBy: [{ column: 'country' }] },
        );
        await data.appendRows(table, [{ id: 1, country: 'NL' }, { id: 2, country: 'US' }]);
        const url = partitionUrl('lake', 'polled');
        assert.deepEqual((await call('GET', `${url}/keys`)).body, ['country=NL', 'country=US']);

        // With the snapshot's manifest list out of reach, listings of the same snapshot still answer.
        const manifestList = table.currentSnapshot()!.manifestList;
        const kept = await warehouse.io.read(manifestList);
        await warehouse.io.delete(manifestList);
        try {
          assert.deepEqual((await call('GET', `${url}/keys?filter=${encodeURIComponent('country="US"')}`)).body, ['country=US']);
          assert.equal((await call('GET', `${url}/count`)).body, 2);
        } finally {
          await warehouse.io.write(manifestList, kept);
        }

        // A commit is a new metadata file: the next listing reads the new snapshot.
        await data.appendRows(table, [{ id: 3, country: 'BR' }]);
        assert.deepEqual((await call('GET', `${url}/keys`)).body, ['country=BR', 'country=NL', 'country=US']);
        const snapshotSec = Math.trunc(table.currentSnapshot()!.timestampMs / 1000);
        assert.deepEqual((await call('GET', `${url}/uris?filter=${encodeURIComponent('country="BR"')}`)).body, [`${scheme}://lake.polled/country=BR/snapshot_time=${snapshotSec}`]);

        // A rename keeps the metadata file, but partition URIs name the table.
        assert.equal((await call('POST', `${tableUrl('lake', 'polled')}/rename?newTableName=polled2`)).status, 204);
        assert.deepEqual((await call('GET', `${partitionUrl('lake', 'polled2')}/uris?filter=${encodeURIComponent('country="BR"')}`)).body, [
          `${scheme}://lake.polled2/country=BR/snapshot_time=${snapshotSec}`,
        ]);
        assert.equal((await call('DELETE', tableUrl('lake', 'polled2'))).status, 200);
      });

      it('refuses partition saves and deletes on an Iceberg table: partitions change through Iceberg commits', async () => {
        const url = partitionUrl('lake', 'events');
        const save = await call('POST', url, {
          partitions: [{ name: { catalogName: 'warehouse', databaseName: 'lake', tableName: 'events', partitionName: 'country=BR/ts_day=2024-01-01' }, serde: { uri: 's3://x/y' } }],
        });
        assert.equal(save.status, 400);
        assert.match(save.body.message, /is an Iceberg table: .*change through Iceberg commits/);
        const del = await call('DELETE', url, ['country=NL/ts_day=2024-01-05']);
        assert.equal(del.status, 400);
        assert.match(del.body.message, /change through Iceberg commits/);
        assert.equal((await call('GET', `${url}/count`)).body, 4);
      });

      it('renames and drops through the pointer store, with tag guards and user metadata', async () => {
        assert.equal((await call('POST', tableUrl('lake', 'moving'), { ...iceberg('lake', 'moving', l1), definitionMetadata: { owner: { userId: 'ana' } } })).status, 201);
        const url = tableUrl('lake', 'moving');
        assert.equal((await call('POST', `${url}/rename?newTableName=events`)).status, 409, 'an Iceberg name is taken');
        assert.equal((await call('POST', tableUrl('lake', 'hive_x'), { name: { catalogName: 'warehouse', databaseName: 'lake', tableName: 'hive_x' } })).status, 201);
        assert.equal((await call('POST', `${url}/rename?newTableName=hive_x`)).status, 409, 'a Hive name is taken');
        assert.equal((await call('POST', tableUrl('lake', 'hive_x'), iceberg('lake', 'hive_x', l1))).status, 409);
        assert.equal((await call('POST', `${tableUrl('lake', 'hive_x')}/rename?newTableName=events`)).status, 409);

        await call('POST', `/tag${url}`, ['do_not_rename', 'do_not_drop']);
        assert.equal((await call('POST', `${url}/rename?newTableName=moved`)).status, 400);
        assert.equal((await call('DELETE', url)).status, 400);
        await call('DELETE', `/tag${url}?all=true`);

        assert.equal((await call('POST', `${url}/rename?newTableName=moved`)).status, 204);
        assert.equal(await warehouse.tableExists({ namespace: ['lake'], name: 'moving' }), false);
        assert.equal((await warehouse.pointers.get({ namespace: ['lake'], name: 'moved' }))?.metadataLocation, l1);
        const moved = await call('GET', tableUrl('lake', 'moved'));
        assert.equal(moved.body.definitionMetadata.owner.userId, 'ana');

        const dropped = await call('DELETE', tableUrl('lake', 'moved'));
        assert.equal(dropped.status, 200);
        assert.equal(dropped.body.metadata.metadata_location, l1);
        assert.equal(await warehouse.tableExists({ namespace: ['lake'], name: 'moved' }), false);
        assert.ok(await warehouse.io.exists(l1), 'dropping the pointer keeps the files');
        assert.equal((await call('GET', tableUrl('lake', 'moved'))).status, 404);
        assert.equal((await call('DELETE', tableUrl('lake', 'moved'))).status, 200, 'a missing table is not an error');
        const types = (await t.platform.catalog.eventLog.readAfter(0, 1000)).filter((e) => e.name.startsWith('warehouse/lake/mov')).map((e) => e.type);
        assert.deepEqual(types, ['TABLE_CREATE', 'TAGS_UPDATE', 'TAGS_UPDATE', 'TABLE_RENAME', 'TABLE_DELETE']);
      });

      it('deletes a database only once its Iceberg tables are gone, and its namespace with it', async () => {
        assert.equal((await call('POST', '/catalog/warehouse/database/tmp')).status, 201);
        assert.equal((await call('POST', tableUrl('tmp', 'x'), iceberg('tmp', 'x', l1))).status, 201);
        const refused = await call('DELETE', '/catalog/warehouse/database/tmp');
        assert.equal(refused.status, 412);
        assert.match(refused.body.message, /not empty \(it has Iceberg table x\)/);
        assert.equal((await call('DELETE', tableUrl('tmp', 'x'))).status, 200);
        assert.equal((await call('DELETE', '/catalog/warehouse/database/tmp')).status, 204);
        assert.equal(await warehouse.pointers.namespaceExists(['tmp']), false);
        assert.equal((await call('GET', '/catalog/warehouse/database/tmp')).status, 404);
        assert.equal((await call('POST', '/catalog/warehouse/database/files')).status, 409, 'a namespace-only database exists');
      });

      it('answers bad input on the Iceberg paths with a 4xx naming the problem', async () => {
        const expect = async (res: Promise<{ status: number; body: Json }>, status: number, message: RegExp) => {
          const r = await res;
          assert.equal(r.status, status, JSON.stringify(r.body));
          assert.match(r.body.message, message);
        };
        await expect(call('POST', tableUrl('lake', 'bad'), iceberg('lake', 'bad', 'not a location')), 400, /metadata.metadata_location "not a location" is not a metadata file location/);
        await expect(call('POST', tableUrl('lake', 'bad'), iceberg('lake', 'bad', `${source.location()}/metadata/nope.metadata.json`)), 400, /metadata.metadata_location .*nope.metadata.json does not exist/);
        const garbage = `${source.location()}/metadata/garbage.metadata.json`;
        await warehouse.io.write(garbage, '{"format-version": 2, "not": "metadata"');
        await expect(call('POST', tableUrl('lake', 'bad'), iceberg('lake', 'bad', garbage)), 400, /is not a readable Iceberg metadata file/);
        await expect(
          call('POST', tableUrl('lake', 'bad'), { name: { catalogName: 'warehouse', databaseName: 'lake', tableName: 'bad' }, metadata: { table_type: 'ICEBERG' } }),
          400,
          /needs metadata.metadata_location/,
        );
        await expect(call('PUT', tableUrl('lake', 'events'), { metadata: { metadata_location: garbage, previous_metadata_location: l1 } }), 400, /is not a readable Iceberg metadata file/);
        await expect(call('PUT', tableUrl('lake', 'events'), { metadata: { metadata_location: 'ftp://x/y.json', previous_metadata_location: l1 } }), 400, /is not a metadata file location/);
        await expect(call('PUT', tableUrl('lake', 'events'), { metadata: { table_type: 'HIVE' } }), 400, /metadata.table_type cannot become "HIVE"/);
        assert.equal((await call('GET', tableUrl('lake', 'events'))).body.metadata.metadata_location, l1, 'nothing changed');

        await expect(call('POST', tableUrl('nodb', 'bad'), iceberg('nodb', 'bad', l1)), 404, /Database warehouse\/nodb does not exist/);
        await expect(call('POST', tableUrl('lake', 'a.b'), iceberg('lake', 'a.b', l1)), 400, /Invalid table name "a.b": it contains a dot/);
        await expect(call('POST', '/catalog/warehouse/database/a.b'), 400, /Invalid database name "a.b": it contains a dot/);
        assert.equal((await call('POST', '/catalog/h/database/lake')).status, 201);
        await expect(call('POST', tableUrl('lake', 'ice', 'h'), { ...iceberg('lake', 'ice', l1), name: { catalogName: 'h', databaseName: 'lake', tableName: 'ice' } }), 501, /keeps Hive-style tables only/);
        const events = (await t.platform.catalog.eventLog.readAfter(0, 1000)).filter((e) => e.name === 'warehouse/lake/bad');
        assert.deepEqual(events, [], 'a refused change records no event');
      });
    });
  }
}
