// Engines benchmark: the same aggregate as a `sql` job on DuckDB (the local `sql` command), on a
// local Spark standalone cluster (sql-spark) and on a local Trino coordinator (sql-trino), over one
// synthetic Iceberg table written by Quarry; for each, the job's run time (started → finished) as a
// ratio against DuckDB's in the same run, and its submit → RUNNING overhead (created → started), both
// from the server's own job timestamps. Engines come from QUARRY_TEST_ENGINES_CACHE (with-services.sh).
//   BENCH_ENGINE_ROWS   rows in the table (default 1,000,000; the issue's full size is 10,000,000)
//   BENCH_ENGINE_RUNS   runs per engine, the first of which is reported separately (default 4: a
//                       median over an odd number of warm runs)
import { DuckDbSession } from '../src/table/duckdb-session.ts';
import { TableData } from '../src/table/table-data.ts';
import { Warehouse } from '../src/warehouse/warehouse.ts';
import { startSparkCluster, stopSparkCluster } from '../src/engines/spark-cluster.ts';
import { startTrinoCluster, stopTrinoCluster } from '../src/engines/trino-cluster.ts';
import { QUARRY_BIN, registerWithHarness, shellWord, testEngineCache, testSpark, testTrino } from '../test/support/engines.ts';
import { cluster, command, openJobsHarness } from '../test/support/jobs-harness.ts';

const ROWS = Number(process.env.BENCH_ENGINE_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_ENGINE_RUNS ?? 4);
// Whole-number doubles summed stay exact (below 2^53) in any order, so every engine prints the same
// answer; a fractional sum would differ in its last digits and its formatting between engines.
const SQL = 'SELECT country, count(*) AS events, CAST(sum(value) AS BIGINT) AS total, max(id) AS last FROM bench.events GROUP BY country ORDER BY country';
const COUNTRIES = ['NL', 'DE', 'FR', 'US', 'BR', 'JP', 'IN', 'ZA'];

const cache = testEngineCache();
const h = await openJobsHarness('sqlite');
const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
try {
  const warehouse = Warehouse.open({ database: h.t.platform.database, warehouse: h.t.config.warehouse, s3: h.t.config.s3 });
  const table = await warehouse.createTable({ namespace: ['bench'], name: 'events' }, { schema: [{ name: 'id', type: 'long' }, { name: 'country', type: 'string' }, { name: 'value', type: 'double' }] });
  const session = await DuckDbSession.open({ memoryLimit: '1GB' });
  try {
    // Generated inside DuckDB: building 10 M row objects in JS would take longer than the runs measured.
    const countries = `[${COUNTRIES.map((c) => `'${c}'`).join(', ')}]`;
    await new TableData(session).appendQuery(table, `SELECT i AS id, ${countries}[(i * 7919) % ${COUNTRIES.length} + 1] AS country, CAST(i % 1000 AS DOUBLE) AS value FROM range(0, ${ROWS}) t(i)`);
  } finally {
    session.close();
  }
  log(`wrote ${ROWS} rows`);
  const iceberg = { uri: `${h.url}/iceberg` };
  const spark = await startSparkCluster(cache, testSpark(cache), { name: 'bench', iceberg }, log);
  const trino = await startTrinoCluster(cache, testTrino(cache), { name: 'bench', iceberg }, log);
  await h.setRegistry({
    clusters: [cluster('local', ['type:local'])],
    commands: [command('sql', ['type:sql'], [process.execPath, QUARRY_BIN, 'query', '--server', h.url, '--format', 'csv', '--output', 'result.csv'], [{ tags: ['type:local'] }])],
    applications: [],
  });
  await registerWithHarness(h, 'spark', 'bench', spark.masterUrl, { spark: testSpark(cache) });
  await registerWithHarness(h, 'trino', 'bench', trino.url, { trino: testTrino(cache) });

  const runOnce = async (tag: string) => {
    const id = await h.submit({ name: 'bench', user: 'bench', version: '1', commandArgs: shellWord(SQL), clusterCriterias: [{ tags: [tag] }], commandCriteria: ['type:sql'] });
    const status = await h.waitFor(id, undefined, 15 * 60_000);
    if (status !== 'SUCCEEDED') throw new Error(`${tag} job ${id} ${status}: ${await (await h.get(`/api/v3/jobs/${id}/output/stderr`)).text()}`);
    const job = (await (await h.get(`/api/v3/jobs/${id}`)).json()) as { created: string; started: string; finished: string };
    const result = await (await h.get(`/api/v3/jobs/${id}/output/result.csv`)).text();
    return { toRunning: Date.parse(job.started) - Date.parse(job.created), run: Date.parse(job.finished) - Date.parse(job.started), result };
  };
  const engines = [
    ['DuckDB (sql, local)', 'type:local'],
    ['Spark 4.1 standalone (sql-spark)', 'type:spark'],
    ['Trino 476 (sql-trino)', 'type:trino'],
  ] as const;
  const figures = new Map<string, { first: number; runs: number[]; toRunning: number[]; result: string }>();
  // Interleaved, so load changes on the shared machine fall on every engine alike.
  for (let r = 0; r < RUNS; r++) {
    for (const [label, tag] of engines) {
      const { toRunning, run, result } = await runOnce(tag);
      const f = figures.get(label) ?? { first: run, runs: [], toRunning: [], result };
      if (r > 0) f.runs.push(run);
      f.toRunning.push(toRunning);
      if (f.result !== result) throw new Error(`${label} answered differently across runs`);
      figures.set(label, f);
      log(`${label} run ${r + 1}: ${run} ms (submit→RUNNING ${toRunning} ms)`);
    }
  }
  const results = new Set([...figures.values()].map((f) => f.result));
  if (results.size !== 1) throw new Error(`the engines disagree: ${[...results].join(' | ')}`);
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
  };
  const base = median(figures.get(engines[0][0])!.runs.length ? figures.get(engines[0][0])!.runs : [figures.get(engines[0][0])!.first]);
  console.log(`\n${ROWS.toLocaleString('en')} rows, ${RUNS} runs per engine (median of runs 2..${RUNS}; run 1 separately)\n`);
  console.log('| engine | job run time (median) | ratio to DuckDB | first run | submit→RUNNING (median) |');
  console.log('|---|---|---|---|---|');
  for (const [label] of engines) {
    const f = figures.get(label)!;
    const run = f.runs.length ? median(f.runs) : f.first;
    console.log(`| ${label} | ${run} ms | ${(run / base).toFixed(2)}× | ${f.first} ms | ${median(f.toRunning)} ms |`);
  }
} finally {
  await stopSparkCluster(cache, 'bench').catch(() => undefined);
  await stopTrinoCluster(cache, 'bench').catch(() => undefined);
  await h.close();
  cache.cleanup();
}
