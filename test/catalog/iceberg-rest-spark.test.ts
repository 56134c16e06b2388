import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDbSession, quoteString } from '../../src/table/duckdb-session.ts';
import { STORES, type StoreKind } from '../support/stores.ts';
import { openSpark, type SparkSession } from '../support/spark.ts';
import { openRestServer, type RestServer } from './iceberg-rest-support.ts';

/**
 * A real Spark (pyspark + iceberg-spark-runtime, `type=rest`), PyIceberg and Quarry create, write and
 * read the same tables through /iceberg/v1, both ways, with partition values that need escaping in
 * paths. One Spark session serves the whole file, with one catalog per metadata store.
 */

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

/** Partition values whose folder names need escaping: non-ASCII, space, `%`, `=`, `/`, `?#&`. */
const VALUES = ['Ün', 'a b', 'x%y', 'k=v', 'a/b', '?#&', 'plain'];
/** What Iceberg Java (and PyIceberg) name each value's folder: URLEncoder's form. */
const FOLDERS: Record<string, string> = { Ün: 'p=%C3%9Cn', 'a b': 'p=a+b', 'x%y': 'p=x%25y', 'k=v': 'p=k%3Dv', 'a/b': 'p=a%2Fb', '?#&': 'p=%3F%23%26', plain: 'p=plain' };

interface Row {
  id: number;
  p: string;
  v: number;
}
const ROWS: Row[] = VALUES.map((p, i) => ({ id: i + 1, p, v: i * 1.5 }));
const sqlString = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
const VALUES_SQL = ROWS.map((r) => `(${r.id}, ${sqlString(r.p)}, ${r.v})`).join(', ');

const byId = (rows: Record<string, unknown>[]): Row[] =>
  rows.map((r) => ({ id: Number(r.id), p: String(r.p), v: Number(r.v) })).sort((a, b) => a.id - b.id);

/** The local file a recorded `file:` location names, read the way Iceberg Java and PyIceberg read it: literally. */
const localFile = (location: string) => location.replace(/^file:(\/\/)?/, '');

/** The partition folder of a data file: the segment before its name. */
const folderOf = (location: string) => location.split('/').slice(-2, -1)[0]!;

const servers = new Map<StoreKind, RestServer>();
let spark: SparkSession;
let duck: DuckDbSession;

before(async () => {
  for (const store of STORES) servers.set(store, await openRestServer(store, 'folder'));
  spark = await openSpark(Object.fromEntries(STORES.map((store) => [`q_${store}`, { uri: servers.get(store)!.uri }])));
  duck = await DuckDbSession.open({ memoryLimit: '256MB' });
});

after(async () => {
  await spark?.close();
  duck?.close();
  for (const s of servers.values()) await s.close();
});

/** Rows DuckDB reads from the files themselves, at their recorded locations. */
async function duckRows(locations: readonly string[]): Promise<Row[]> {
  const list = locations.map((l) => quoteString(localFile(l))).join(', ');
  return byId(await duck.jsonRows(`SELECT id, p, v FROM read_parquet([${list}], hive_partitioning = false)`));
}

for (const store of STORES) {
  describe(`Spark, PyIceberg and Quarry share Iceberg tables (${store})`, () => {
    const cat = `q_${store}`;
    const s = () => servers.get(store)!;

    it("Spark's CREATE TABLE, INSERT and CTAS succeed; Quarry, PyIceberg and DuckDB read every row at the recorded locations", async () => {
      await spark.sql(`CREATE NAMESPACE ${cat}.sparkdb`);
      await spark.sql(`CREATE TABLE ${cat}.sparkdb.t (id BIGINT, p STRING, v DOUBLE) USING iceberg PARTITIONED BY (p)`);
      await spark.sql(`INSERT INTO ${cat}.sparkdb.t VALUES ${VALUES_SQL}`);
      await spark.sql(`CREATE TABLE ${cat}.sparkdb.copy USING iceberg PARTITIONED BY (p) AS SELECT * FROM ${cat}.sparkdb.t`);
      assert.deepEqual(byId(await spark.sql(`SELECT * FROM ${cat}.sparkdb.copy`)), ROWS);

      const files = await spark.sql(`SELECT file_path, partition.p AS p FROM ${cat}.sparkdb.t.files`);
      assert.equal(files.length, VALUES.length);
      for (const f of files) assert.equal(folderOf(String(f.file_path)), FOLDERS[String(f.p)], `Spark's folder for ${String(f.p)}`);

      for (const name of ['t', 'copy']) {
        const table = await s().warehouse.loadTable({ namespace: ['sparkdb'], name });
        assert.deepEqual(byId(await s().data.readRows(table)), ROWS, `Quarry reads Spark's ${name}`);
        assert.deepEqual(await duckRows((await table.dataFiles()).map((f) => f.filePath)), ROWS);
      }
      const py = await s().pythonJson<Record<string, unknown>[]>(`print(json.dumps(rows_of(cat.load_table('sparkdb.t'))))`);
      assert.deepEqual(byId(py), ROWS);
    });

    it('Quarry writes a table with the same values: its folders are Spark’s, byte for byte, and Spark, PyIceberg and DuckDB read it', async () => {
      const table = await s().warehouse.createTable(
        { namespace: ['quarrydb'], name: 'q' },
        { schema: [{ name: 'id', type: 'long' }, { name: 'p', type: 'string' }, { name: 'v', type: 'double' }], partitionBy: [{ column: 'p', transform: 'identity' }] },
      );
      await s().data.appendRows(table, ROWS.map((r) => ({ ...r })));
      const written = await (await s().warehouse.loadTable({ namespace: ['quarrydb'], name: 'q' })).dataFiles();
      assert.deepEqual(written.map((f) => folderOf(f.filePath)).sort(), Object.values(FOLDERS).sort());
      assert.deepEqual(await duckRows(written.map((f) => f.filePath)), ROWS, 'each file is stored at exactly its recorded location');

      assert.deepEqual(byId(await spark.sql(`SELECT * FROM ${cat}.quarrydb.q`)), ROWS);
      assert.deepEqual(byId(await s().pythonJson<Record<string, unknown>[]>(`print(json.dumps(rows_of(cat.load_table('quarrydb.q'))))`)), ROWS);

      // Spark appends to and deletes from Quarry's table; Quarry reads the result.
      await spark.sql(`INSERT INTO ${cat}.quarrydb.q VALUES (100, 'a/b', 9.5)`);
      await spark.sql(`DELETE FROM ${cat}.quarrydb.q WHERE id = 1`);
      const expected = [...ROWS.filter((r) => r.id !== 1), { id: 100, p: 'a/b', v: 9.5 }];
      const after = await s().warehouse.loadTable({ namespace: ['quarrydb'], name: 'q' });
      assert.deepEqual(byId(await s().data.readRows(after)), expected);
      assert.deepEqual(byId(await spark.sql(`SELECT * FROM ${cat}.quarrydb.q`)), expected);
    });

    it('PyIceberg writes the values; Spark and Quarry read every row', async () => {
      const out = await s().pythonJson<{ folders: string[] }>(`
import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.types import NestedField, LongType, StringType, DoubleType
from pyiceberg.partitioning import PartitionSpec, PartitionField
from pyiceberg.transforms import IdentityTransform
cat.create_namespace('pydb')
schema = Schema(NestedField(1, 'id', LongType()), NestedField(2, 'p', StringType()), NestedField(3, 'v', DoubleType()))
tbl = cat.create_table('pydb.y', schema=schema, partition_spec=PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name='p')))
tbl.append(pa.Table.from_pylist(${JSON.stringify(ROWS)}, schema=schema.as_arrow()))
print(json.dumps({'folders': sorted(t.file.file_path.split('/')[-2] for t in cat.load_table('pydb.y').scan().plan_files())}))
`);
      assert.deepEqual(out.folders, Object.values(FOLDERS).sort());
      const table = await s().warehouse.loadTable({ namespace: ['pydb'], name: 'y' });
      assert.deepEqual(byId(await s().data.readRows(table)), ROWS);
      assert.deepEqual(byId(await spark.sql(`SELECT * FROM ${cat}.pydb.y`)), ROWS);
    });

    it('quarry table count|stats|files|append|delete and /mds/v1 read the file:/ locations Spark records; PARTITION_ADD names its partitions', async () => {
      await spark.sql(`CREATE TABLE ${cat}.sparkdb.ev (id BIGINT, p STRING, v DOUBLE) USING iceberg PARTITIONED BY (p)`);
      const from = (await s().t.platform.catalog.eventLog.readAfter(0, 100_000)).at(-1)?.seq ?? 0;
      await spark.sql(`INSERT INTO ${cat}.sparkdb.ev VALUES ${VALUES_SQL}`);
      const recorded = (await spark.sql(`SELECT file_path FROM ${cat}.sparkdb.ev.files`)).map((f) => String(f.file_path));
      const manifests = (await spark.sql(`SELECT path FROM ${cat}.sparkdb.ev.manifests`)).map((f) => String(f.path));
      // What Spark records: Hadoop's one-slash form. If Spark ever changes this, the test no longer covers file:/.
      assert.ok([...recorded, ...manifests].some((l) => /^file:\/[^/]/.test(l)), `Spark recorded ${recorded[0]}, ${manifests[0]}`);

      const events = (await s().t.platform.catalog.eventLog.readAfter(from, 1000)).filter((e) => e.name === 'warehouse/sparkdb/ev');
      const added = events.find((e) => e.type === 'PARTITION_ADD');
      assert.ok(added, `PARTITION_ADD among ${events.map((e) => `${e.type} ${JSON.stringify(e.payload.partitionsUnknown ?? '')}`).join(', ')}`);
      assert.equal(added.payload.numAddedPartitions, VALUES.length);

      const base = `http://127.0.0.1:${(s().t.app.server.address() as { port: number }).port}/mds/v1`;
      const keys = (await (await fetch(`${base}/partition/catalog/warehouse/database/sparkdb/table/ev/keys`)).json()) as string[];
      assert.equal(keys.length, VALUES.length, JSON.stringify(keys));

      const config = s().t.config;
      const env = {
        ...process.env,
        QUARRY_HOME: config.home,
        QUARRY_WAREHOUSE: config.warehouse,
        QUARRY_DATABASE_URL: config.database.kind === 'sqlite' ? `sqlite:${config.database.path}` : config.database.url,
      };
      const run = (...args: string[]) => {
        const result = spawnSync(process.execPath, [QUARRY, 'table', ...args], { env, encoding: 'utf8', timeout: 120_000 });
        assert.equal(result.status, 0, `quarry table ${args.join(' ')}: ${result.stderr}`);
        return JSON.parse(result.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      };
      assert.equal(run('count', 'sparkdb.ev').count, VALUES.length);
      assert.equal(run('files', 'sparkdb.ev').files.length, VALUES.length);
      assert.ok(run('stats', 'sparkdb.ev'));
      const csv = path.join(config.home, 'more.csv');
      (await import('node:fs')).writeFileSync(csv, 'id,p,v\n200,c/d,1.0\n201,Ün,2.0\n');
      run('append', 'sparkdb.ev', csv);
      assert.equal(run('delete', 'sparkdb.ev', '--filter', 'id = 2').deletedRows, 1);
      assert.equal(run('count', 'sparkdb.ev').count, VALUES.length + 1);
      await spark.sql(`REFRESH TABLE ${cat}.sparkdb.ev`); // Spark caches the table it wrote
      const rows = byId(await spark.sql(`SELECT * FROM ${cat}.sparkdb.ev`));
      assert.deepEqual(rows.map((r) => [r.id, r.p]), [...ROWS.filter((r) => r.id !== 2).map((r) => [r.id, r.p]), [200, 'c/d'], [201, 'Ün']]);
    });
  });
}
