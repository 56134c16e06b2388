import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EngineCache } from '../../src/engines/engine-cache.ts';
import { applicationKey, SPARK_RUNTIME_JAR } from '../../src/engines/engine-registration.ts';
import { startSparkCluster, stopSparkCluster, type SparkClusterState } from '../../src/engines/spark-cluster.ts';
import type { SparkInstallation } from '../../src/engines/spark-installation.ts';
import { openObjectStore } from '../../src/storage/open-object-store.ts';
import { registerWithHarness, shellWord, testEngineCache, testSpark } from '../support/engines.ts';
import { openJobsHarness, type JobsHarness } from '../support/jobs-harness.ts';
import { peerPython } from '../support/python.ts';
import { STORES } from '../support/stores.ts';

/**
 * Genie's admin stories with two real Spark standalone clusters: jobs tagged sched:sla go to the
 * first; the tag moves to the second and new jobs follow it while a long job on the first finishes
 * there; with the tag on both, jobs split between them; a new Iceberg runtime jar put at the central
 * location (the warehouse's object store) is what the next job runs with, with no host touched.
 * Placement is read back through the jobs API (GET /api/v3/jobs/{id}/cluster).
 */

// A job on a real engine: JVM starts and Iceberg commits take minutes on a loaded 2-core machine.
const SLOW = 12 * 60_000;
let cache: EngineCache & { cleanup(): void };
let spark: SparkInstallation;
const clusters: Record<'first' | 'second', SparkClusterState> = {} as never;

before(async () => {
  cache = testEngineCache();
  spark = testSpark(cache);
  for (const name of ['first', 'second'] as const) {
    clusters[name] = await startSparkCluster(cache, spark, { name, iceberg: { uri: 'http://127.0.0.1:9/iceberg' } }, () => undefined);
  }
});

after(async () => {
  for (const name of ['first', 'second']) await stopSparkCluster(cache, name);
  cache?.cleanup();
});

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

for (const store of STORES) {
  describe(`admin stories on two Spark clusters (${store})`, () => {
    let h: JobsHarness;
    before(async () => {
      // least-loaded: with the tag on both clusters, two jobs in a row go one to each.
      h = await openJobsHarness(store, { jobs: { resolution: { selector: 'least-loaded' } } });
      await h.setRegistry({ clusters: [], commands: [], applications: [] });
      await registerWithHarness(h, 'spark', 'first', clusters.first.masterUrl, { spark }, ['sched:sla']);
      await registerWithHarness(h, 'spark', 'second', clusters.second.masterUrl, { spark });
    });
    after(() => h?.close());

    const sparkSql = (sql: string, name = 'story') =>
      h.submit({ name, user: 'ops', version: '1', commandArgs: `-e ${shellWord(sql)}`, clusterCriterias: [{ tags: ['sched:sla'] }], commandCriteria: ['type:spark-sql'] });
    const clusterOf = async (id: string) => ((await (await h.get(`/api/v3/jobs/${id}/cluster`)).json()) as { id: string }).id;
    const succeed = async (id: string) => {
      const status = await h.waitFor(id, undefined, SLOW);
      assert.equal(status, 'SUCCEEDED', `job ${id} ${status}: ${await (await h.get(`/api/v3/jobs/${id}/output/stderr`)).text()}`);
    };
    const admin = async (method: string, url: string, body?: unknown) => {
      const response = await fetch(`${h.url}/api/v3${url}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      assert.ok(response.status < 300, `${method} ${url} answered ${response.status}: ${await response.text()}`);
    };

    it('sched:sla jobs follow the tag to the second cluster while a long job on the first finishes there', { timeout: SLOW * 3 }, async () => {
      // The long job sleeps inside Spark (on the first cluster's executor) for 60 s after it starts.
      const long = await sparkSql("SELECT reflect('java.lang.Thread', 'sleep', 60000L) AS slept", 'long');
      assert.equal(await h.waitFor(long, (s) => s === 'RUNNING' || ['SUCCEEDED', 'FAILED', 'KILLED', 'INVALID'].includes(s), SLOW), 'RUNNING');
      assert.equal(await clusterOf(long), 'spark-first');

      await admin('DELETE', '/clusters/spark-first/tags/sched:sla');
      await admin('POST', '/clusters/spark-second/tags', ['sched:sla']);
      const moved = await sparkSql('SELECT 1 AS one', 'after-move');
      assert.equal(await clusterOf(moved), 'spark-second');
      await succeed(moved);
      await succeed(long);
      assert.equal(await clusterOf(long), 'spark-first', 'the long job stayed where it started');
    });

    it('with sched:sla on both clusters, jobs split between them', { timeout: SLOW * 2 }, async () => {
      await admin('POST', '/clusters/spark-first/tags', ['sched:sla']);
      const a = await sparkSql('SELECT 1 AS one', 'split-a');
      const b = await sparkSql('SELECT 2 AS two', 'split-b');
      await succeed(a);
      await succeed(b);
      assert.deepEqual([await clusterOf(a), await clusterOf(b)].sort(), ['spark-first', 'spark-second']);
    });

    it("a new runtime jar at the central location is the next job's, with no host touched", { timeout: SLOW * 2 }, async () => {
      const store = openObjectStore(h.t.config.warehouse, h.t.config.s3);
      const key = applicationKey('spark', SPARK_RUNTIME_JAR);
      const before = sha1(await store.getBytes(key));
      // The "new release": the same classes plus one more entry, so the bytes (and SHA-1) differ.
      const upgraded = path.join(h.t.config.home, SPARK_RUNTIME_JAR);
      copyFileSync(spark.icebergJar, upgraded);
      execFileSync(peerPython(), ['-c', `import zipfile, sys\nwith zipfile.ZipFile(sys.argv[1], 'a') as z: z.writestr('quarry-upgrade.txt', 'upgraded')`, upgraded]);
      const bytes = readFileSync(upgraded);
      assert.notEqual(sha1(bytes), before);
      await store.put(key, bytes);

      const id = await sparkSql('SHOW NAMESPACES', 'after-upgrade');
      await succeed(id);
      const used = await h.get(`/api/v3/jobs/${id}/output/genie/applications/spark/dependencies/${SPARK_RUNTIME_JAR}`);
      assert.equal(used.status, 200);
      assert.equal(sha1(new Uint8Array(await used.arrayBuffer())), sha1(bytes), 'the job ran with the jar now at the central location');
    });
  });
}
