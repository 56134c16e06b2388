// Query benchmark: 10 million event rows in 1,000 data files (one per day partition).
//  1. a full-scan aggregate through Quarry's query engine (scan planning, field-id mapping, a fresh
//     DuckDB per query) against DuckDB reading the same files by glob — the floor;
//  2. a selective query (two days of 1,000) both ways: Quarry plans 2 files, the glob opens every footer;
//  3. peak memory of a query whose hash aggregate is larger than its memory limit (it spills).
// Prints ratios against the in-run baselines; copy the table into bench/RESULTS.md.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../src/db/database.ts';
import { QueryEngine } from '../src/query/query-engine.ts';
import { DuckDbSession } from '../src/table/duckdb-session.ts';
import { TableData } from '../src/table/table-data.ts';
import { Warehouse } from '../src/warehouse/warehouse.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-query-bench-'));

async function median(work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await work();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

try {
  const database = await openDatabase({ kind: 'sqlite', path: path.join(dir, 'quarry.db') });
  const warehouse = Warehouse.open({ database, warehouse: pathToFileURL(path.join(dir, 'warehouse')).href, s3: { region: 'us-east-1', forcePathStyle: true } });
  const table = await warehouse.createTable(
    { namespace: ['bench'], name: 'events' },
    {
      schema: [
        { name: 'user_id', type: 'long' },
        { name: 'ts', type: 'timestamptz' },
        { name: 'country', type: 'string' },
        { name: 'value', type: 'double' },
      ],
      partitionBy: [{ column: 'ts', transform: 'day' }],
    },
  );
  const writer = await DuckDbSession.open({ memoryLimit: '1GB', threads: 2 });
  const t0 = performance.now();
  await new TableData(writer).appendQuery(
    table,
    `SELECT (i % 1000003)::BIGINT AS user_id,
       TIMESTAMPTZ '2023-01-01 00:00:00+00' + to_microseconds((i::HUGEINT * ${DAYS} * 86400000000 // ${ROWS})::BIGINT) AS ts,
       ['NL','US','BR','IN','JP','DE','FR','GB','MX','KR'][(i % 10) + 1] AS country, (i % 997) * 0.5 AS value
     FROM range(${ROWS}) t(i)`,
  );
  writer.close();
  await table.refresh();
  const files = await table.dataFiles();
  console.log(`wrote ${ROWS} rows in ${files.length} files in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const engine = new QueryEngine(warehouse, { memoryLimit: '1GB', spillDirectory: path.join(dir, 'spill'), threads: 2, catalogNames: ['warehouse'] });
  const run = async (sql: string) => {
    const q = await engine.start(sql);
    try {
      const rows: unknown[][] = [];
      for await (const chunk of q.rows()) rows.push(...chunk);
      return { rows, stats: q.stats() };
    } finally {
      q.close();
    }
  };
  const glob = path.join(new URL(table.location()).pathname, 'data', '**', '*.parquet');
  const raw = await DuckDbSession.open({ memoryLimit: '1GB', threads: 2 });
  const rawRun = (sql: string) => raw.jsonRows(sql);

  const full = 'SELECT country, count(*) AS n, sum(value) AS s FROM %T GROUP BY country ORDER BY country';
  const selective = "SELECT count(*) AS n, sum(value) AS s FROM %T WHERE ts >= TIMESTAMPTZ '2024-01-10 00:00:00+00' AND ts < TIMESTAMPTZ '2024-01-12 00:00:00+00'";
  const sameAnswer = async (sql: string) => {
    const a = (await run(sql.replace('%T', 'bench.events'))).rows;
    const b = (await rawRun(sql.replace('%T', `read_parquet('${glob}')`))).map((r) => Object.values(r));
    if (JSON.stringify(a.map((r) => r.map(String))) !== JSON.stringify(b.map((r) => r.map(String)))) throw new Error(`answers differ for ${sql}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  };
  await sameAnswer(full);
  await sameAnswer(selective);
  const fullGlob = await median(() => rawRun(full.replace('%T', `read_parquet('${glob}')`)));
  const fullQuarry = await median(() => run(full.replace('%T', 'bench.events')));
  const selGlob = await median(() => rawRun(selective.replace('%T', `read_parquet('${glob}')`)));
  const selQuarry = await median(() => run(selective.replace('%T', 'bench.events')));
  const selStats = (await run(selective.replace('%T', 'bench.events'))).stats;
  raw.close();

  // A hash aggregate over 1,000,003 distinct users with a 64 MB limit: it must spill, and the process stays bounded.
  const small = new QueryEngine(warehouse, { memoryLimit: '64MB', spillDirectory: path.join(dir, 'spill'), threads: 2, catalogNames: ['warehouse'] });
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t1 = performance.now();
  const q = await small.start('SELECT user_id, count(*) AS n, sum(value) AS s FROM bench.events GROUP BY user_id ORDER BY s DESC LIMIT 3');
  let spillOutcome = 'completed';
  try {
    for await (const _ of q.rows()) void _;
  } catch (error) {
    spillOutcome = `failed: ${(error as Error).message.slice(0, 120)}`;
  } finally {
    q.close();
  }
  clearInterval(sampler);
  const spillMs = performance.now() - t1;

  console.log(`\n| measure | baseline (DuckDB glob) | Quarry | ratio (Quarry / glob) |`);
  console.log(`|---|---|---|---|`);
  console.log(`| full-scan aggregate, ${files.length} files | ${fullGlob.toFixed(0)} ms | ${fullQuarry.toFixed(0)} ms | ${(fullQuarry / fullGlob).toFixed(2)}× |`);
  console.log(`| selective (2 days), files read ${selStats.dataFiles} of ${files.length} | ${selGlob.toFixed(0)} ms | ${selQuarry.toFixed(0)} ms | ${(selQuarry / selGlob).toFixed(3)}× (${(selGlob / selQuarry).toFixed(1)}× faster) |`);
  console.log(`\naggregate over 1,000,003 groups with memory_limit 64MB: ${spillOutcome} in ${spillMs.toFixed(0)} ms; process RSS ${(before / 2 ** 20).toFixed(0)} → peak ${(peak / 2 ** 20).toFixed(0)} MiB`);
  await database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
