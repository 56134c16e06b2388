// Query benchmark: 10 million event rows in 1,000 data files (one per day partition).
//  1. a full-scan aggregate through Quarry's query engine as a server node runs it (scan planning,
//     field-id mapping, a DuckDB opened ahead, DuckDBs kept for the next query over the same files)
//     against DuckDB reading the same files by glob — the floor — in one long-lived DuckDB (warm: its
//     file cache holds the bytes) and in a fresh DuckDB per query (what `duckdb -c` pays each time);
//     Quarry also without kept DuckDBs, as a query over tables no kept DuckDB has read runs;
//  2. a selective query (two days of 1,000) the same ways: Quarry plans 2 files, the glob opens every footer;
//  3. peak memory of a query whose hash aggregate is larger than its memory limit (it spills).
// Like with like: every side streams its rows in process the same way (DuckDB's JSON rows, chunk by
// chunk, read to the end), and the runs of all sides are interleaved, so a change of load on a
// shared machine hits them alike. Prints medians (wall and process CPU) and ratios; copy the table
// into bench/RESULTS.md with the load average printed.
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
const RUNS = Number(process.env.BENCH_RUNS ?? 9);

const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-query-bench-'));

interface Timing {
  wallMs: number;
  cpuMs: number;
}

const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Each side once to warm up, then RUNS rounds of every side in turn; the median wall and CPU time of each. */
async function interleaved(sides: (() => Promise<unknown>)[]): Promise<Timing[]> {
  for (const side of sides) await side();
  const walls = sides.map((): number[] => []);
  const cpus = sides.map((): number[] => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [j, side] of sides.entries()) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await side();
      walls[j]!.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      cpus[j]!.push((cpu.user + cpu.system) / 1000);
    }
  }
  return sides.map((_, j) => ({ wallMs: medianOf(walls[j]!), cpuMs: medianOf(cpus[j]!) }));
}

/** Streams a result to its end as the query engine does: DuckDB's JSON rows, chunk by chunk. */
async function streamAll(session: DuckDbSession, sql: string): Promise<unknown[][]> {
  const result = await session.connection.stream(sql);
  const rows: unknown[][] = [];
  for await (const chunk of result.yieldRowsJson()) rows.push(...(chunk as unknown[][]));
  return rows;
}

const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

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

  const engine = new QueryEngine(warehouse, { memoryLimit: '1GB', spillDirectory: path.join(dir, 'spill'), threads: 2, catalogNames: ['warehouse'], warm: true, keepSessions: 2 });
  // The same node without kept DuckDBs: what a query over tables no kept DuckDB has read pays.
  const cold = new QueryEngine(warehouse, { memoryLimit: '1GB', spillDirectory: path.join(dir, 'spill'), threads: 2, catalogNames: ['warehouse'], warm: true });
  const run = async (sql: string, on: QueryEngine = engine) => {
    const q = await on.start(sql);
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
  const rawRun = (sql: string) => streamAll(raw, sql);
  const freshRun = async (sql: string) => {
    const fresh = await DuckDbSession.open({ memoryLimit: '1GB', threads: 2 });
    try {
      return await streamAll(fresh, sql);
    } finally {
      fresh.close();
    }
  };

  const full = 'SELECT country, count(*) AS n, sum(value) AS s FROM %T GROUP BY country ORDER BY country';
  const selective = "SELECT count(*) AS n, sum(value) AS s FROM %T WHERE ts >= TIMESTAMPTZ '2024-01-10 00:00:00+00' AND ts < TIMESTAMPTZ '2024-01-12 00:00:00+00'";
  const sameAnswer = async (sql: string) => {
    const a = (await run(sql.replace('%T', 'bench.events'))).rows;
    const b = await rawRun(sql.replace('%T', `read_parquet('${glob}')`));
    if (JSON.stringify(a.map((r) => r.map(String))) !== JSON.stringify(b.map((r) => r.map(String)))) throw new Error(`answers differ for ${sql}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  };
  await sameAnswer(full);
  await sameAnswer(selective);
  const loadBefore = loadAverage();
  const sides = (sql: string) => [
    () => rawRun(sql.replace('%T', `read_parquet('${glob}')`)),
    () => freshRun(sql.replace('%T', `read_parquet('${glob}')`)),
    () => run(sql.replace('%T', 'bench.events')),
    () => run(sql.replace('%T', 'bench.events'), cold),
  ];
  const [fullGlob, fullFresh, fullQuarry, fullCold] = (await interleaved(sides(full))) as [Timing, Timing, Timing, Timing];
  const [selGlob, selFresh, selQuarry, selCold] = (await interleaved(sides(selective))) as [Timing, Timing, Timing, Timing];
  const loadAfter = loadAverage();
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

  const ms = (t: Timing) => `${t.wallMs.toFixed(0)} ms (CPU ${t.cpuMs.toFixed(0)})`;
  const ratio = (q: Timing, b: Timing) => `${(q.wallMs / b.wallMs).toFixed(2)}× (CPU ${(q.cpuMs / b.cpuMs).toFixed(2)}×)`;
  console.log(`\nload average (1, 5, 15 min) before ${loadBefore}, after ${loadAfter}; median of ${RUNS} interleaved runs`);
  console.log(`\n| measure | DuckDB glob, one warm DuckDB | DuckDB glob, fresh DuckDB per query | Quarry (server node) | Quarry, no kept DuckDB | Quarry / warm glob | no kept DuckDB / fresh glob |`);
  console.log(`|---|---|---|---|---|---|---|`);
  console.log(`| full-scan aggregate, ${files.length} files | ${ms(fullGlob)} | ${ms(fullFresh)} | ${ms(fullQuarry)} | ${ms(fullCold)} | ${ratio(fullQuarry, fullGlob)} | ${ratio(fullCold, fullFresh)} |`);
  console.log(`| selective (2 days), files read ${selStats.dataFiles} of ${files.length} | ${ms(selGlob)} | ${ms(selFresh)} | ${ms(selQuarry)} | ${ms(selCold)} | ${ratio(selQuarry, selGlob)} | ${ratio(selCold, selFresh)} |`);
  console.log(`\nselective through Quarry: ${(selGlob.wallMs / selQuarry.wallMs).toFixed(1)}× faster than the warm glob, ${(fullQuarry.wallMs / selQuarry.wallMs).toFixed(1)}× faster than Quarry's full scan`);
  console.log(`\naggregate over 1,000,003 groups with memory_limit 64MB: ${spillOutcome} in ${spillMs.toFixed(0)} ms; process RSS ${(before / 2 ** 20).toFixed(0)} → peak ${(peak / 2 ** 20).toFixed(0)} MiB`);
  engine.close();
  cold.close();
  small.close();
  await database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
