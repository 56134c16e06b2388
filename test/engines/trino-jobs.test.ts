import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EngineCache } from '../../src/engines/engine-cache.ts';
import { startTrinoCluster, stopTrinoCluster, type TrinoClusterState } from '../../src/engines/trino-cluster.ts';
import type { TrinoInstallation } from '../../src/engines/trino-installation.ts';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';
import { restPrelude } from '../catalog/iceberg-rest-support.ts';
import { QUARRY_BIN, registerWithHarness, shellWord, testEngineCache, testTrino } from '../support/engines.ts';
import { cluster, command, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { openSpark, type SparkSession } from '../support/spark.ts';
import { runPython } from '../support/python.ts';
import { STORES } from '../support/stores.ts';

/**
 * A real Trino 476 coordinator (started by src/engines like `quarry engines start trino`) on Quarry's
 * Iceberg REST catalog, registered as a cluster: `trino` jobs read a table Quarry's writer made and
 * one Spark made (partition values with non-ASCII characters), and write one that Quarry's query
 * reads; a `sql` job routed to type:trino writes the result.csv the DuckDB one writes.
 */

// A job on a real engine: JVM starts and Iceberg commits take minutes on a loaded 2-core machine.
const SLOW = 12 * 60_000;
const CITIES = ['Zürich', 'São Paulo', 'Kraków', '東京'];
let cache: EngineCache & { cleanup(): void };
let trino: TrinoInstallation;
let spark: SparkSession | undefined;
const catalogs = new Map<string, string>();

before(() => {
  cache = testEngineCache();
  trino = testTrino(cache);
});

after(async () => {
  await spark?.close();
  cache?.cleanup();
});

for (const store of STORES) {
  describe(`trino jobs on a Trino cluster (${store})`, () => {
    let h: JobsHarness;
    let coordinator: TrinoClusterState;
    before(async () => {
      h = await openJobsHarness(store);
      coordinator = await startTrinoCluster(cache, trino, { name: `jobs-${store}`, iceberg: { uri: `${h.url}/iceberg` } }, () => undefined);
      await h.setRegistry({
        clusters: [cluster('local', ['type:local'])],
        commands: [command('sql', ['type:sql'], [process.execPath, QUARRY_BIN, 'query', '--server', h.url, '--format', 'csv', '--output', 'result.csv'], [{ tags: ['type:local'] }])],
        applications: [],
      });
      await registerWithHarness(h, 'trino', 'main', coordinator.url, { trino });

      // A table Quarry writes (the writer its pipeline sink and `quarry table append` use).
      const warehouse = Warehouse.open({ database: h.t.platform.database, warehouse: h.t.config.warehouse, s3: h.t.config.s3 });
      const table = await warehouse.createTable({ namespace: ['events'], name: 'plays' }, { schema: [{ name: 'member', type: 'long' }, { name: 'hours', type: 'double' }, { name: 'city', type: 'string' }] });
      const session = await DuckDbSession.open({ memoryLimit: '256MB' });
      try {
        await new TableData(session).appendRows(table, [
          { member: 1, hours: 1.5, city: 'Zürich' },
          { member: 2, hours: 2, city: '東京' },
          { member: 1, hours: 0.5, city: 'Zürich' },
        ]);
      } finally {
        session.close();
      }
      // A table Spark writes, partitioned by values that need escaping in paths.
      const name = `q_${store}`;
      catalogs.set(store, name);
      spark ??= await openSpark({ [name]: { uri: `${h.url}/iceberg` } });
      if (!(await spark.sql('SHOW CATALOGS')).some((r) => r.catalog === name)) {
        // One Spark session per file: a second store's catalog is added to the running session.
        await spark.sql(`SET spark.sql.catalog.${name}=org.apache.iceberg.spark.SparkCatalog`);
        await spark.sql(`SET spark.sql.catalog.${name}.type=rest`);
        await spark.sql(`SET spark.sql.catalog.${name}.uri=${h.url}/iceberg`);
      }
      await spark.sql(`CREATE NAMESPACE ${name}.sparkdb`);
      await spark.sql(`CREATE TABLE ${name}.sparkdb.cities (id BIGINT, city STRING) USING iceberg PARTITIONED BY (city)`);
      await spark.sql(`INSERT INTO ${name}.sparkdb.cities VALUES ${CITIES.map((c, i) => `(${i + 1}, '${c}')`).join(', ')}`);
    });
    after(async () => {
      await stopTrinoCluster(cache, `jobs-${store}`);
      await h?.close();
    });

    const output = async (id: string, file: string) => (await h.get(`/api/v3/jobs/${id}/output/${file}`)).text();
    const trinoJob = async (sql: string) => {
      const id = await h.submit({ name: 'trino', user: 'ana', version: '1', commandArgs: `--output-format CSV_HEADER_UNQUOTED --execute ${shellWord(sql)}`, clusterCriterias: [{ tags: ['type:trino'] }], commandCriteria: ['type:trino'] });
      const status = await h.waitFor(id, undefined, SLOW);
      assert.equal(status, 'SUCCEEDED', `trino job ${id} ${status}: ${await output(id, 'stderr')}\n${await output(id, 'stdout')}`);
      assert.equal(((await (await h.get(`/api/v3/jobs/${id}/cluster`)).json()) as { id: string }).id, 'trino-main');
      return output(id, 'stdout');
    };

    it("a trino job reads the table Quarry wrote and Spark's table with non-ASCII partition values", { timeout: SLOW * 2 }, async () => {
      assert.equal(await trinoJob('SELECT member, sum(hours) AS hours FROM events.plays GROUP BY member ORDER BY member'), 'member,hours\n1,2.0\n2,2.0\n');
      assert.equal(await trinoJob('SELECT id, city FROM sparkdb.cities ORDER BY id'), `id,city\n${CITIES.map((c, i) => `${i + 1},${c}`).join('\n')}\n`);
    });

    // Trino stages a CTAS at `<namespace location>/<table>-<uuid>` and refuses a location holding any
    // file; this passes because Quarry names every namespace's location (see IcebergRestCatalog.loadNamespace).
    it('a trino job writes a partitioned table (non-ASCII partition values) that Quarry and PyIceberg read', { timeout: SLOW * 2 }, async () => {
      await trinoJob("CREATE TABLE events.by_city WITH (partitioning = ARRAY['city']) AS SELECT p.city, count(*) AS plays, sum(p.hours) AS hours FROM events.plays p GROUP BY p.city");
      const expected = [
        ['Zürich', 2, 2],
        ['東京', 1, 2],
      ];
      const response = await fetch(`${h.url}/api/query/v1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sql: 'SELECT city, plays, hours FROM events.by_city ORDER BY city', format: 'json' }),
      });
      const body = (await response.json()) as { rows: unknown[][]; message?: string };
      assert.equal(response.status, 200, body.message);
      assert.deepEqual(body.rows.map(([c, p, hrs]) => [c, Number(p), Number(hrs)]), expected);

      const py = await runPython(`${restPrelude(`${h.url}/iceberg`, undefined)}
tbl = cat.load_table('events.by_city')
print(json.dumps({'rows': [[r['city'], r['plays'], r['hours']] for r in rows_of(tbl, 'city')], 'spec': [[f.name, str(f.transform)] for f in tbl.spec().fields]}, ensure_ascii=False))`);
      assert.equal(py.code, 0, py.stderr);
      const read = JSON.parse(py.stdout.trim().split('\n').pop()!) as { rows: unknown[][]; spec: string[][] };
      assert.deepEqual(read.rows, expected);
      assert.deepEqual(read.spec, [['city', 'identity']]);
    });

    it('a sql job whose cluster criteria pick type:trino runs there and writes the result.csv the DuckDB one writes', { timeout: SLOW * 2 }, async () => {
      const sql = 'SELECT member, count(*) AS plays FROM events.plays GROUP BY member ORDER BY member';
      const job = (tags: string[]) => h.submit({ name: 'per-member', user: 'ana', version: '1', commandArgs: shellWord(sql), clusterCriterias: [{ tags }], commandCriteria: ['type:sql'] });
      const onTrino = await job(['type:trino']);
      const onDuck = await job(['type:local']);
      for (const id of [onTrino, onDuck]) assert.equal(await h.waitFor(id, undefined, SLOW), 'SUCCEEDED', await output(id, 'stderr'));
      assert.equal(((await (await h.get(`/api/v3/jobs/${onTrino}/command`)).json()) as { id: string }).id, 'sql-trino');
      assert.equal(await output(onDuck, 'result.csv'), 'member,plays\n1,2\n2,1\n');
      assert.equal(await output(onTrino, 'result.csv'), 'member,plays\n1,2\n2,1\n');
    });
  });
}
