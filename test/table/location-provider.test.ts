import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { entropyDirs, LocationProvider } from '../../src/table/location-provider.ts';
import { openRestServer, type RestServer } from '../catalog/iceberg-rest-support.ts';
import { runPython } from '../support/python.ts';
import { STORES } from '../support/stores.ts';

const TABLE = 's3://bucket/wh/db.db/events';
const CONFIGS: Record<string, Record<string, string>> = {
  default: {},
  objectStore: { 'write.object-storage.enabled': 'true' },
  flat: { 'write.object-storage.enabled': 'true', 'write.object-storage.partitioned-paths': 'false' },
  dataPath: { 'write.data.path': `${TABLE}/custom/`, 'write.object-storage.enabled': 'true' },
};

test("new data files go where PyIceberg's location providers put them, byte for byte", async () => {
  const cases: { config: string; partition: string; name: string }[] = [];
  const partitions = ['', 'city=Z%C3%BCrich', 'ts_hour=2026-12-06-04/user_bucket=3', 'city=%E6%9D%B1%E4%BA%AC'];
  for (const config of Object.keys(CONFIGS)) {
    for (const partition of partitions) for (let i = 0; i < 25; i++) cases.push({ config, partition, name: `${i % 5 === 0 ? 'deletes-' : ''}${randomUUID()}.parquet` });
  }
  // With no partition key PyIceberg hashes the name as given, so `<partition>/<name>` stands for a
  // partitioned file wherever partition folders are kept (its own recursion does the same).
  const script = `
import json, sys
from pyiceberg.table.locations import load_location_provider
cases, configs = json.load(sys.stdin)
out = []
for c in cases:
    props = configs[c['config']]
    provider = load_location_provider(${JSON.stringify(TABLE)}, props)
    keeps = props.get('write.object-storage.enabled') != 'true' or props.get('write.object-storage.partitioned-paths', 'true') == 'true'
    name = f"{c['partition']}/{c['name']}" if c['partition'] and keeps else c['name']
    out.append(provider.new_data_location(name))
print(json.dumps(out))
`;
  const result = await runPython(`import sys, io; sys.stdin = io.StringIO(${JSON.stringify(JSON.stringify([cases, CONFIGS]))})\n${script}`);
  assert.equal(result.code, 0, result.stderr);
  const theirs = JSON.parse(result.stdout.trim()) as string[];
  const ours = cases.map((c) => new LocationProvider(TABLE, CONFIGS[c.config]).newDataLocation(c.name, c.partition));
  assert.deepEqual(ours, theirs);
  assert.match(ours[cases.findIndex((c) => c.config === 'objectStore' && c.partition !== '')], /^s3:\/\/bucket\/wh\/db\.db\/events\/data\/[01]{4}\/[01]{4}\/[01]{4}\/[01]{8}\/city=/);
});

test("a data folder outside the table's location gets Iceberg Java's <parent>/<table> context after the hash", () => {
  const provider = new LocationProvider(TABLE, { 'write.object-storage.enabled': 'true', 'write.data.path': 's3://other/spread' });
  const name = 'ts_day=2026-12-06/f.parquet';
  assert.equal(provider.newDataLocation('f.parquet', 'ts_day=2026-12-06'), `s3://other/spread/${entropyDirs(name)}/db.db/events/${name}`);
  // Hadoop names a bucket root's folder '', so a table at the root has the context '/<table>'.
  const atRoot = new LocationProvider('s3://bucket/events', { 'write.object-storage.enabled': 'true', 'write.data.path': 's3://other/x' });
  assert.equal(atRoot.newDataLocation('f.parquet', ''), `s3://other/x/${entropyDirs('f.parquet')}//events/f.parquet`);
  // Java's Boolean.parseBoolean: any case of "true"; anything else is false.
  assert.match(new LocationProvider(TABLE, { 'write.object-storage.enabled': 'TRUE' }).newDataLocation('f.parquet', ''), /\/data\/[01]{4}\//);
  assert.equal(new LocationProvider(TABLE, { 'write.object-storage.enabled': 'yes' }).newDataLocation('f.parquet', ''), `${TABLE}/data/f.parquet`);
});

/** Every data file of the table, from its manifests. */
async function dataFiles(s: RestServer, name: string): Promise<string[]> {
  const table = await s.warehouse.loadTable({ namespace: ['spread'], name });
  return (await table.newScan().planFiles()).files.map((f) => f.filePath);
}

for (const store of STORES) {
  describe(`object-store layout shared with PyIceberg on ${store}`, () => {
    let s: RestServer;
    before(async () => {
      s = await openRestServer(store);
    });
    after(async () => {
      await s?.close();
    });

    test('Quarry and PyIceberg both spread files by the same hash of their partition path and name, and read each other', async () => {
      const table = await s.warehouse.createTable(
        { namespace: ['spread'], name: 'visits' },
        {
          schema: [{ name: 'id', type: 'long', required: true }, { name: 'city', type: 'string' }],
          partitionBy: [{ column: 'city', transform: 'identity' }],
          properties: { 'write.object-storage.enabled': 'true' },
        },
      );
      await s.data.appendRows(table, [
        { id: 1, city: 'Zürich' },
        { id: 2, city: '東京' },
      ]);
      const out = await s.pythonJson<{ ids: number[] }>(`
import pyarrow as pa
tbl = cat.load_table('spread.visits')
tbl.append(pa.Table.from_pylist([{'id': 3, 'city': 'Zürich'}, {'id': 4, 'city': 'a b'}], schema=pa.schema([pa.field('id', pa.int64(), nullable=False), pa.field('city', pa.string())])))
print(json.dumps({'ids': [r['id'] for r in rows_of(tbl)]}))
`);
      assert.deepEqual(out.ids, [1, 2, 3, 4]);
      const files = await dataFiles(s, 'visits');
      assert.equal(files.length, 4);
      const data = `${table.location()}/data/`;
      for (const file of files) {
        assert.ok(file.startsWith(data), file);
        const rest = file.slice(data.length);
        const match = /^([01]{4}\/[01]{4}\/[01]{4}\/[01]{8})\/(city=[^/]+\/[^/]+\.parquet)$/.exec(rest);
        assert.ok(match, `${file} is not <data>/<hash>/<partition>/<file>`);
        assert.equal(match[1], entropyDirs(match[2]), `the hash folders of ${file}`);
      }
      assert.deepEqual(new Set(files.map((f) => /\/(city=[^/]+)\//.exec(f)![1])), new Set(['city=Z%C3%BCrich', 'city=%E6%9D%B1%E4%BA%AC', 'city=a+b']));
    });
  });
}
