// Warehouse benchmark: 10 million synthetic event rows.
//  1. rows/s written to committed zstd Parquet through Quarry (partitioned by day, sorted, field ids,
//     stats into manifests, commit) against DuckDB's own COPY of the same rows to one zstd file;
//  2. files and bytes a selective query's scan plan reads against a full scan;
//  3. count(*) answered from the manifest list, with no data file opened.
// Memory is bounded by DuckDB's memory_limit (512MB). Prints ratios against the in-run baseline.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../src/db/database.ts';
import { DuckDbSession } from '../src/table/duckdb-session.ts';
import { and, eq, gtEq, lt } from '../src/table/expression.ts';
import { TableData } from '../src/table/table-data.ts';
import { Warehouse } from '../src/warehouse/warehouse.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-bench-'));
const generator = `SELECT (i % 1000003)::BIGINT AS user_id,
  TIMESTAMPTZ '2024-01-01 00:00:00+00' + to_microseconds((i::HUGEINT * 8640000000000 // ${ROWS})::BIGINT) AS ts,
  ['view','click','play','pause','stop'][(i % 5) + 1] AS event_type,
  ['NL','US','BR','IN','JP','DE','FR','GB','MX','KR'][(i % 10) + 1] AS country,
  (i % 997) * 0.5 AS value
FROM range(${ROWS}) t(i)`;

try {
  const session = await DuckDbSession.open({ memoryLimit: '512MB', threads: 2 });
  const database = await openDatabase({ kind: 'sqlite', path: path.join(dir, 'quarry.db') });
  const warehouse = Warehouse.open({ database, warehouse: pathToFileURL(path.join(dir, 'warehouse')).href, s3: { region: 'us-east-1', forcePathStyle: true } });
  const data = new TableData(session);

  let t0 = performance.now();
  await session.run(`COPY (${generator}) TO '${path.join(dir, 'baseline.parquet')}' (FORMAT parquet, COMPRESSION zstd)`);
  const baselineS = (performance.now() - t0) / 1000;
  const baselineBytes = statSync(path.join(dir, 'baseline.parquet')).size;

  const table = await warehouse.createTable(
    { namespace: ['bench'], name: 'events' },
    {
      schema: [
        { name: 'user_id', type: 'long' },
        { name: 'ts', type: 'timestamptz' },
        { name: 'event_type', type: 'string' },
        { name: 'country', type: 'string' },
        { name: 'value', type: 'double' },
      ],
      partitionBy: [{ column: 'ts', transform: 'day' }],
      sortBy: [{ column: 'ts' }],
    },
  );
  t0 = performance.now();
  const result = await data.appendQuery(table, generator);
  const quarryS = (performance.now() - t0) / 1000;

  const full = await table.newScan().planFiles();
  const selective = await table.newScan().filter(and(gtEq('ts', '2024-02-01T00:00:00Z'), lt('ts', '2024-02-02T00:00:00Z'), eq('country', 'NL'))).planFiles();
  t0 = performance.now();
  const count = await table.newScan().countFromMetadata();
  const countMs = performance.now() - t0;

  const rate = (s: number) => Math.round(ROWS / s).toLocaleString('en-US');
  console.log(`rows: ${ROWS.toLocaleString('en-US')}, machine: ${os.cpus().length} cores, DuckDB memory_limit 512MB, ${new Date().toISOString().slice(0, 10)}`);
  console.log('| measure | value | baseline (same run) | ratio |');
  console.log('|---|---|---|---|');
  console.log(`| write rows/s (committed Iceberg, day-partitioned, sorted, zstd) | ${rate(quarryS)} (${quarryS.toFixed(1)} s, ${result.snapshot.summary['added-data-files']} files, ${(Number(result.snapshot.summary['added-files-size']) / 1e6).toFixed(1)} MB) | DuckDB COPY to one zstd file: ${rate(baselineS)} (${baselineS.toFixed(1)} s, ${(baselineBytes / 1e6).toFixed(1)} MB) | ${(baselineS / quarryS).toFixed(2)}× of COPY's rate |`);
  console.log(`| selective scan (1 day of 100, country=NL): files | ${selective.files.length} | full scan: ${full.files.length} | ${(selective.files.length / full.files.length).toFixed(3)} |`);
  console.log(`| selective scan: bytes to read | ${(selective.metrics.bytesSelected / 1e6).toFixed(2)} MB | full scan: ${(full.metrics.bytesSelected / 1e6).toFixed(1)} MB | ${(selective.metrics.bytesSelected / full.metrics.bytesSelected).toFixed(4)} |`);
  console.log(`| count(*) from metadata | ${count.toLocaleString('en-US')} rows in ${countMs.toFixed(1)} ms, 0 data files opened (manifest list only) | — | exact: ${count === ROWS} |`);
  session.close();
  await database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
