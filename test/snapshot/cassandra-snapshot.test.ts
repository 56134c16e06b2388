import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import cassandra from 'cassandra-driver';
import { createConnector } from '../../src/catalog/connectors/create-connector.ts';
import { QualifiedName } from '../../src/catalog/qualified-name.ts';
import type { CatalogConfig } from '../../src/config/config.ts';
import { InvalidInputError } from '../../src/errors/invalid-input-error.ts';
import { NotFoundError } from '../../src/errors/not-found-error.ts';
import { UnavailableError } from '../../src/errors/unavailable-error.ts';
import { DimensionSnapshot, LINEAGE, type DimensionSnapshotOptions } from '../../src/snapshot/dimension-snapshot.ts';
import { parseFilter } from '../../src/table/filter-parser.ts';
import type { Table } from '../../src/table/table.ts';
import { cassandraAddress } from '../support/cassandra-server.ts';
import { runPython } from '../support/python.ts';
import { STORES } from '../support/stores.ts';
import { freePort } from '../support/test-service.ts';
import { openTestWarehouse, type TestWarehouse } from '../table/warehouse-support.ts';

const keyspace = `quarry_snap_${randomBytes(4).toString('hex')}`;
let client: cassandra.Client;
let catalogs: CatalogConfig[];
/** Rows in `bulk`: enough to page through many token slices at a small batch size. */
const BULK = 600;

before(async () => {
  const address = await cassandraAddress();
  client = new cassandra.Client({ contactPoints: [address], localDataCenter: 'datacenter1', encoding: { useBigIntAsLong: true, useBigIntAsVarint: true } });
  await client.connect();
  const run = (cql: string) => client.execute(cql);
  await run(`CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  await run(`CREATE TYPE ${keyspace}.address (street text, zip int)`);
  await run(`CREATE TABLE ${keyspace}.members (
    id int, region text, seq int,
    a_ascii ascii, a_text text, a_bool boolean, a_tiny tinyint, a_small smallint, a_int int, a_big bigint,
    a_varint varint, a_dec decimal, a_float float, a_double double, a_blob blob, a_date date, a_time time,
    a_ts timestamp, a_uuid uuid, a_timeuuid timeuuid, a_inet inet, a_duration duration,
    a_list list<int>, a_set set<text>, a_tslist list<timestamp>, a_map map<text, int>, a_tuple tuple<int, text>,
    a_udt frozen<address>, a_nested list<frozen<map<text, int>>>, a_vector vector<float, 3>,
    PRIMARY KEY ((id, region), seq))`);
  await run(`CREATE TABLE ${keyspace}.hits (page text PRIMARY KEY, n counter)`);
  await run(`CREATE TABLE ${keyspace}.bulk (id int PRIMARY KEY, amount bigint)`);
  await run(`INSERT INTO ${keyspace}.members (id, region, seq, a_ascii, a_text, a_bool, a_tiny, a_small, a_int, a_big, a_varint, a_dec, a_float, a_double,
      a_blob, a_date, a_time, a_ts, a_uuid, a_timeuuid, a_inet, a_duration, a_list, a_set, a_tslist, a_map, a_tuple, a_udt, a_nested, a_vector)
    VALUES (1, 'eu', 1, 'plain', 'Zoë 🎬 東京', true, -128, 32767, -2147483648, 9007199254740993,
      123456789012345678901234567890, 1234567890.0123456789, 1.5, -0.25,
      0x00ff10, '2024-02-29', '13:45:01.123456789', '2024-02-29 13:45:01.123+0000', a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,
      50554d6e-29bb-11e5-b345-feff819cdc9f, '192.168.0.1', 1y6mo2d3h4m5s6ms, [3, 1, 2], {'b', 'a', 'ü'},
      ['2024-01-01 00:00:00+0000'], {'x': 1, 'y': -2}, (7, 'seven'), {street: 'Main "St"', zip: 12345}, [{'k': 1}], [0.5, 1, -2])`);
  await run(`INSERT INTO ${keyspace}.members (id, region, seq) VALUES (2, 'us', 1)`);
  await run(`INSERT INTO ${keyspace}.members (id, region, seq, a_text, a_big, a_dec, a_varint) VALUES (2, 'us', 2, 'it''s "quoted"
and ünïcode', -1, -0.01, -5)`);
  await run(`UPDATE ${keyspace}.hits SET n = n + 41 WHERE page = 'home'`);
  await run(`UPDATE ${keyspace}.hits SET n = n + 1 WHERE page = 'home'`);
  const insert = `INSERT INTO ${keyspace}.bulk (id, amount) VALUES (?, ?)`;
  await cassandra.concurrent.executeConcurrent(client, insert, Array.from({ length: BULK }, (_, i) => [i + 1, BigInt(i + 1)]), { concurrencyLevel: 50 });
  catalogs = [{ name: 'cass', connector: 'cassandra', url: `cassandra://${address}/?dc=datacenter1&consistency=one&concurrency=2` } as CatalogConfig];
});
after(async () => {
  await client?.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
  await client?.shutdown();
});

describe('cassandra catalog connector', () => {
  it('lists keyspaces as databases and tables with their CQL types in the common type system', async () => {
    const connector = createConnector(catalogs[0]!, { database: undefined as never });
    try {
      const databases = await connector.listDatabaseNames();
      assert.ok(databases.includes(keyspace), `${keyspace} in ${databases.join(', ')}`);
      assert.ok(!databases.includes('system_schema'), 'system keyspaces are not listed');
      assert.deepEqual(await connector.listTableNames(QualifiedName.ofDatabase('cass', keyspace)), ['bulk', 'hits', 'members']);
      const info = await connector.getTable(QualifiedName.ofTable('cass', keyspace, 'members'));
      const types = Object.fromEntries(info!.fields!.map((f) => [f.name, [f.type, f.source_type]]));
      assert.deepEqual(
        info!.fields!.slice(0, 3).map((f) => [f.name, f.isIndexKey, f.isNullable]),
        [['id', true, false], ['region', true, false], ['seq', true, false]],
        'partition key, then clustering columns, first',
      );
      assert.deepEqual(types, {
        id: ['int', 'int'], region: ['string', 'text'], seq: ['int', 'int'], a_ascii: ['string', 'ascii'], a_text: ['string', 'text'],
        a_bool: ['boolean', 'boolean'], a_tiny: ['tinyint', 'tinyint'], a_small: ['smallint', 'smallint'], a_int: ['int', 'int'], a_big: ['bigint', 'bigint'],
        a_varint: ['decimal', 'varint'], a_dec: ['decimal', 'decimal'], a_float: ['float', 'float'], a_double: ['double', 'double'], a_blob: ['varbinary', 'blob'],
        a_date: ['date', 'date'], a_time: ['time', 'time'], a_ts: ['timestamp with time zone', 'timestamp'], a_uuid: ['string', 'uuid'],
        a_timeuuid: ['string', 'timeuuid'], a_inet: ['string', 'inet'], a_duration: ['interval', 'duration'], a_list: ['array<int>', 'list<int>'],
        a_set: ['array<string>', 'set<text>'], a_tslist: ['array<timestamp with time zone>', 'list<timestamp>'], a_map: ['json', 'map<text, int>'],
        a_tuple: ['json', 'frozen<tuple<int, text>>'], a_udt: ['json', 'frozen<address>'], a_nested: ['json', 'list<frozen<map<text, int>>>'],
        a_vector: ['array<float>', 'vector<float, 3>'],
      });
      assert.equal(info!.metadata?.primary_key, 'id,region,seq');
      const hits = await connector.getTable(QualifiedName.ofTable('cass', keyspace, 'hits'));
      assert.deepEqual(hits!.fields!.map((f) => [f.name, f.type]), [['page', 'string'], ['n', 'bigint']]);
      assert.equal(await connector.getTable(QualifiedName.ofTable('cass', keyspace, 'nosuch')), undefined);
      assert.deepEqual((await connector.findTables('memb', 10)).map((q) => q.toString()), [`cass/${keyspace}/members`]);
    } finally {
      await connector.close();
    }
  });
});

for (const store of STORES) {
  describe(`quarry snapshot from Cassandra (metadata in ${store})`, () => {
    let w: TestWarehouse;
    const snapshot = (extra: Partial<DimensionSnapshotOptions> = {}) => new DimensionSnapshot({ catalogs, warehouse: w.warehouse, session: w.session, ...extra });
    const rowsOf = (table: Table, date: number, order: string) => w.data.readRows(table, table.newScan().filter(parseFilter(`dateint = ${date}`)), order);
    before(async () => {
      w = await openTestWarehouse(store);
    });
    after(() => w?.close());

    it('copies every CQL type, nulls and unicode row for row; PyIceberg reads the same', async () => {
      const outcome = await snapshot({ batchRows: 2 }).run({ catalog: 'cass', source: `${keyspace}.members`, into: 'dims.cass_members', date: '20240105', jobId: 'job-7' });
      assert.equal(outcome.rows, 3);
      const table = await w.warehouse.loadTable({ namespace: ['dims'], name: 'cass_members' });
      const rows = await rowsOf(table, 20240105, 'id, seq');
      const nulls = Object.fromEntries(Object.keys(rows[0]!).filter((k) => k.startsWith('a_')).map((k) => [k, null]));
      assert.deepEqual(rows, [
        {
          id: 1, region: 'eu', seq: 1, a_ascii: 'plain', a_big: '9007199254740993', a_blob: '\\x00\\xFF\\x10', a_bool: true, a_date: '2024-02-29',
          a_dec: '1234567890.0123456789', a_double: -0.25, a_duration: '1y6mo2d3h4m5s6ms', a_float: 1.5, a_inet: '192.168.0.1', a_int: -2147483648,
          a_list: [3, 1, 2], a_map: '{"x": 1, "y": -2}', a_nested: '[{"k": 1}]', a_set: ['a', 'b', 'ü'], a_small: 32767, a_text: 'Zoë 🎬 東京',
          // Iceberg's time holds microseconds: Cassandra's nanoseconds are truncated.
          a_time: '13:45:01.123456', a_timeuuid: '50554d6e-29bb-11e5-b345-feff819cdc9f', a_tiny: -128, a_ts: '2024-02-29 13:45:01.123+00',
          a_tslist: ['2024-01-01 00:00:00+00'], a_tuple: '[7, "seven"]', a_udt: '{"street": "Main \\"St\\"", "zip": 12345}',
          a_uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', a_varint: '123456789012345678901234567890', a_vector: [0.5, 1, -2], dateint: 20240105,
        },
        { id: 2, region: 'us', seq: 1, ...nulls, dateint: 20240105 },
        { id: 2, region: 'us', seq: 2, ...nulls, a_big: '-1', a_dec: '-0.01', a_text: 'it\'s "quoted"\nand ünïcode', a_varint: '-5', dateint: 20240105 },
      ]);
      const kinds = Object.fromEntries(table.schema().fields.map((f) => [f.name, f.type.kind === 'list' ? `list<${f.type.element.kind}>` : f.type.kind]));
      assert.deepEqual(
        [kinds.a_big, kinds.a_varint, kinds.a_dec, kinds.a_ts, kinds.a_time, kinds.a_blob, kinds.a_map, kinds.a_udt, kinds.a_set, kinds.a_vector, kinds.a_tslist],
        ['long', 'string', 'string', 'timestamptz', 'time', 'binary', 'string', 'string', 'list<string>', 'list<float>', 'list<timestamptz>'],
      );
      const summary = table.currentSnapshot()!.summary;
      assert.equal(summary[LINEAGE.catalog], 'cass');
      assert.equal(summary[LINEAGE.table], `${keyspace}.members`);
      assert.equal(summary[LINEAGE.rows], '3');
      assert.equal(summary[LINEAGE.jobId], 'job-7');
      assert.equal(summary[LINEAGE.consistency], 'one');
      assert.equal(summary[LINEAGE.readTime], outcome.readTime.toISOString());
      assert.ok(Date.parse(summary[LINEAGE.readEnd]!) >= Date.parse(summary[LINEAGE.readTime]!), 'the read window ends after it starts');

      const py = await runPython(`
import json
from pyiceberg.table import StaticTable
from pyiceberg.expressions import EqualTo
t = StaticTable.from_metadata(${JSON.stringify(table.metadataLocation())})
rows = t.scan(row_filter=EqualTo('dateint', 20240105)).to_arrow().sort_by([('id', 'ascending'), ('seq', 'ascending')]).to_pylist()
print(json.dumps([[r['id'], r['seq'], r['a_text'], str(r['a_big']) if r['a_big'] is not None else None, r['a_varint'], r['a_blob'].hex() if r['a_blob'] is not None else None, r['a_map'], r['a_list'], r['a_ts'].isoformat() if r['a_ts'] else None] for r in rows]))
`);
      assert.equal(py.code, 0, py.stderr);
      assert.deepEqual(JSON.parse(py.stdout), [
        [1, 1, 'Zoë 🎬 東京', '9007199254740993', '123456789012345678901234567890', '00ff10', '{"x": 1, "y": -2}', [3, 1, 2], '2024-02-29T13:45:01.123000+00:00'],
        [2, 1, null, null, null, null, null, null, null],
        [2, 2, 'it\'s "quoted"\nand ünïcode', '-1', '-5', null, null, null, null],
      ]);
    });

    it('pages through every token slice at bounded concurrency: each row once; counters copy', async () => {
      const outcome = await snapshot({ batchRows: 16 }).run({ catalog: 'cass', source: `${keyspace}.bulk`, into: 'dims.cass_bulk', date: '20240106' });
      assert.equal(outcome.rows, BULK);
      const table = await w.warehouse.loadTable({ namespace: ['dims'], name: 'cass_bulk' });
      const rows = await rowsOf(table, 20240106, 'id');
      assert.deepEqual(rows.map((r) => r.id), Array.from({ length: BULK }, (_, i) => i + 1), 'every id once');
      assert.ok(rows.every((r) => String(r.amount) === String(r.id)));

      await snapshot().run({ catalog: 'cass', source: `${keyspace}.hits`, into: 'dims.cass_hits', date: '20240106' });
      const hits = await w.warehouse.loadTable({ namespace: ['dims'], name: 'cass_hits' });
      assert.deepEqual(await rowsOf(hits, 20240106, 'page'), [{ page: 'home', n: '42', dateint: 20240106 }]);

      // A --where is CQL, applied by Cassandra (ALLOW FILTERING).
      const some = await snapshot().run({ catalog: 'cass', source: `${keyspace}.bulk`, into: 'dims.cass_bulk', date: '20240107', where: 'amount <= 10' });
      assert.equal(some.rows, 10);
    });

    it('bad input: unknown keyspace, table or column, a failing --where, an unreachable cluster — one-line errors, nothing committed', async () => {
      const base = { catalog: 'cass', source: `${keyspace}.members`, into: 'dims.cass_bad', date: '20240105' };
      const unreachable: CatalogConfig = { name: 'gone', connector: 'cassandra', url: `cassandra://127.0.0.1:${await freePort()}/` } as CatalogConfig;
      const cases: Array<[Record<string, unknown>, new (...args: never[]) => Error, RegExp]> = [
        [{ source: 'nowhere.members' }, NotFoundError, /^Catalog cass has no database "nowhere"$/],
        [{ source: `${keyspace}.missing` }, NotFoundError, new RegExp(`^Catalog cass has no table ${keyspace}\\.missing$`)],
        [{ columns: ['id', 'nosuch'] }, InvalidInputError, /^Column "nosuch" is not in cass\..*\.members \(columns: id, region, seq, a_ascii/],
        [{ where: 'nosuch > 1' }, InvalidInputError, /^--where "nosuch > 1" failed on .*\.members: .*nosuch/],
        [{ catalog: 'gone' }, UnavailableError, /^Cannot reach Cassandra catalog gone at 127\.0\.0\.1:\d+ \(data center datacenter1\): .+$/],
      ];
      for (const [change, type, message] of cases) {
        await assert.rejects(
          new DimensionSnapshot({ catalogs: [...catalogs, unreachable], warehouse: w.warehouse, session: w.session }).run({ ...base, ...change } as never),
          (error: Error) => error instanceof type && message.test(error.message) && !error.message.includes('\n'),
          JSON.stringify(change),
        );
      }
      assert.equal(await w.warehouse.tableExists({ namespace: ['dims'], name: 'cass_bad' }), false);
    });
  });
}
