import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EngineCache } from '../../src/engines/engine-cache.ts';
import { startSparkCluster, stopSparkCluster, type SparkClusterState } from '../../src/engines/spark-cluster.ts';
import type { SparkInstallation } from '../../src/engines/spark-installation.ts';
import { restPrelude } from '../catalog/iceberg-rest-support.ts';
import { QUARRY_BIN, registerWithHarness, shellWord, testEngineCache, testSpark } from '../support/engines.ts';
import { cluster, command, openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { runPython } from '../support/python.ts';
import { STORES } from '../support/stores.ts';

/**
 * A real Spark standalone cluster (master + worker, started by src/engines like `quarry engines
 * start spark`) registered with a Quarry server; spark-sql jobs write an Iceberg table through
 * Quarry's REST catalog with INSERT, MERGE INTO and a row-level DELETE, and Quarry's query API and
 * PyIceberg read the same rows. A `sql` job routed to type:spark answers what the DuckDB one does.
 */

// A job on a real engine: JVM starts and Iceberg commits take minutes on a loaded 2-core machine.
const SLOW = 12 * 60_000;
let cache: EngineCache & { cleanup(): void };
let spark: SparkInstallation;
let sparkCluster: SparkClusterState;

before(async () => {
  cache = testEngineCache();
  spark = testSpark(cache);
  // The catalog URI in spark-defaults.conf is not used by jobs: each registration names its server's.
  sparkCluster = await startSparkCluster(cache, spark, { name: 'sqljobs', iceberg: { uri: 'http://127.0.0.1:9/iceberg' } }, () => undefined);
});

after(async () => {
  await stopSparkCluster(cache, 'sqljobs');
  cache?.cleanup();
});

const SCRIPT = [
  'CREATE NAMESPACE IF NOT EXISTS sparkjobs',
  "CREATE TABLE sparkjobs.members (id BIGINT, name STRING, city STRING) USING iceberg PARTITIONED BY (city) TBLPROPERTIES ('write.delete.mode'='merge-on-read')",
  "INSERT INTO sparkjobs.members VALUES (1, 'Ana', 'Zürich'), (2, 'Bo', 'Oslo'), (3, 'Cy', 'Zürich')",
  "MERGE INTO sparkjobs.members t USING (SELECT 2L AS id, 'Bob' AS name, 'Oslo' AS city UNION ALL SELECT 4L, 'Di', 'Lima') s ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.name = s.name WHEN NOT MATCHED THEN INSERT *",
  'DELETE FROM sparkjobs.members WHERE id = 1',
  'SELECT id, name, city FROM sparkjobs.members ORDER BY id',
].join(';\n');

const EXPECTED = [
  { id: 2, name: 'Bob', city: 'Oslo' },
  { id: 3, name: 'Cy', city: 'Zürich' },
  { id: 4, name: 'Di', city: 'Lima' },
];

for (const store of STORES) {
  describe(`spark-sql and sql jobs on a Spark cluster (${store})`, () => {
    let h: JobsHarness;
    const namespace = 'sparkjobs';
    before(async () => {
      h = await openJobsHarness(store);
      // The DuckDB `sql` command an admin registers (test/query/sql-job.test.ts), beside the engine's.
      await h.setRegistry({
        clusters: [cluster('local', ['type:local'])],
        commands: [command('sql', ['type:sql'], [process.execPath, QUARRY_BIN, 'query', '--server', h.url, '--format', 'csv', '--output', 'result.csv'], [{ tags: ['type:local'] }])],
        applications: [],
      });
      await registerWithHarness(h, 'spark', 'main', sparkCluster.masterUrl, { spark });
    });
    after(() => h?.close());

    const output = async (id: string, file: string) => (await h.get(`/api/v3/jobs/${id}/output/${file}`)).text();
    const finish = async (id: string) => {
      const status = await h.waitFor(id, undefined, SLOW);
      assert.equal(status, 'SUCCEEDED', `job ${id} ${status}: ${await output(id, 'stderr')}`);
    };

    it('a spark-sql job creates a table, inserts, merges and deletes; Quarry and PyIceberg read the same rows', { timeout: SLOW * 2 }, async () => {
      const id = await h.submit({
        name: 'members',
        user: 'ana',
        version: '1',
        commandArgs: `-e ${shellWord(SCRIPT)}`,
        clusterCriterias: [{ tags: ['type:spark'] }],
        commandCriteria: ['type:spark-sql'],
      });
      await finish(id);
      assert.equal(((await (await h.get(`/api/v3/jobs/${id}/cluster`)).json()) as { id: string }).id, 'spark-main');
      // spark-sql prints the final SELECT tab-separated.
      assert.match(await output(id, 'stdout'), /2\tBob\tOslo\n3\tCy\tZürich\n4\tDi\tLima/);

      const query = await fetch(`${h.url}/api/query/v1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sql: `SELECT id, name, city FROM ${namespace}.members ORDER BY id`, format: 'json' }),
      });
      const body = (await query.json()) as { columns: { name: string }[]; rows: unknown[][]; message?: string };
      assert.equal(query.status, 200, body.message);
      assert.deepEqual(body.rows.map(([i, n, c]) => ({ id: Number(i), name: n, city: c })), EXPECTED);

      const py = await runPython(`${restPrelude(`${h.url}/iceberg`, undefined)}
import json
print(json.dumps(rows_of(cat.load_table('${namespace}.members'))))`);
      assert.equal(py.code, 0, py.stderr);
      assert.deepEqual(JSON.parse(py.stdout.trim().split('\n').pop()!), EXPECTED);
    });

    it('a sql job whose cluster criteria pick type:spark runs there and writes the result.csv the DuckDB one writes', { timeout: SLOW * 2 }, async () => {
      const sql = `SELECT city, count(*) AS members, max(id) AS last FROM ${namespace}.members GROUP BY city ORDER BY city`;
      const job = (tags: string[]) => h.submit({ name: 'per-city', user: 'ana', version: '1', commandArgs: shellWord(sql), clusterCriterias: [{ tags }], commandCriteria: ['type:sql'] });
      const onSpark = await job(['type:spark']);
      const onDuck = await job(['type:local']);
      await finish(onSpark);
      await finish(onDuck);
      assert.equal(((await (await h.get(`/api/v3/jobs/${onSpark}/command`)).json()) as { id: string }).id, 'sql-spark');
      assert.equal(((await (await h.get(`/api/v3/jobs/${onDuck}/command`)).json()) as { id: string }).id, 'sql');
      const expected = 'city,members,last\nLima,1,4\nOslo,1,2\nZürich,1,3\n';
      assert.equal(await output(onDuck, 'result.csv'), expected);
      assert.equal(await output(onSpark, 'result.csv'), expected);
      assert.match(await output(onSpark, 'stderr'), /rows from spark at spark:\/\/127\.0\.0\.1:/);
    });
  });
}
