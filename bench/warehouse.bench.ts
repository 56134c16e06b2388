// Warehouse benchmark: 10 million synthetic event rows.
//  1. rows/s written to committed zstd Parquet through Quarry (partitioned by day, sorted, field ids,
//     stats into manifests, commit) against DuckDB's own COPY of the same rows to one zstd file;
//  2. files and bytes a selective query's scan plan reads against a full scan;
//  3. count(*) answered from the manifest list, with no data file opened;
//  4. a copy-on-write delete (country = 'NL': every file matches in part, so every file is rewritten):
//     rows/s rewritten against a fresh write of the same kept rows; and the same delete merge-on-read
//     (position delete files), and the read that applies them against a read of the same files;
//  5. scan planning over 200 manifests (200 small appends, merging off) against the same table after
//     rewrite-manifests, and the manifest count merging on commit leaves after 200 appends.
// Memory is bounded by DuckDB's memory_limit (512MB). Prints ratios against the in-run baseline.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../src/db/database.ts';
import { DuckDbSession } from '../src/table/duckdb-session.ts';
import { and, eq, gtEq, lt } from '../src/table/expression.ts';
import { readManifestList } from '../src/table/manifest-io.ts';
import type { Table } from '../src/table/table.ts';
import { TableData } from '../src/table/table-data.ts';
import { Warehouse } from '../src/warehouse/warehouse.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const APPENDS = Number(process.env.BENCH_APPENDS ?? 200);

/** Mean wall time of `runs` runs of `work` (after one warm-up run when runs > 1). */
async function timed<T>(work: () => Promise<T>, runs = 1): Promise<{ ms: number; value: T }> {
  let value = runs > 1 ? await work() : (undefined as T);
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) value = await work();
  return { ms: (performance.now() - t0) / runs, value };
}
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

  const rate = (s: number, rows = ROWS) => Math.round(rows / s).toLocaleString('en-US');
  console.log(`rows: ${ROWS.toLocaleString('en-US')}, machine: ${os.cpus().length} cores, DuckDB memory_limit 512MB, ${new Date().toISOString().slice(0, 10)}`);
  console.log('| measure | value | baseline (same run) | ratio |');
  console.log('|---|---|---|---|');
  console.log(`| write rows/s (committed Iceberg, day-partitioned, sorted, zstd) | ${rate(quarryS)} (${quarryS.toFixed(1)} s, ${result.snapshot.summary['added-data-files']} files, ${(Number(result.snapshot.summary['added-files-size']) / 1e6).toFixed(1)} MB) | DuckDB COPY to one zstd file: ${rate(baselineS)} (${baselineS.toFixed(1)} s, ${(baselineBytes / 1e6).toFixed(1)} MB) | ${(baselineS / quarryS).toFixed(2)}× of COPY's rate |`);
  console.log(`| selective scan (1 day of 100, country=NL): files | ${selective.files.length} | full scan: ${full.files.length} | ${(selective.files.length / full.files.length).toFixed(3)} |`);
  console.log(`| selective scan: bytes to read | ${(selective.metrics.bytesSelected / 1e6).toFixed(2)} MB | full scan: ${(full.metrics.bytesSelected / 1e6).toFixed(1)} MB | ${(selective.metrics.bytesSelected / full.metrics.bytesSelected).toFixed(4)} |`);
  console.log(`| count(*) from metadata | ${count.toLocaleString('en-US')} rows in ${countMs.toFixed(1)} ms, 0 data files opened (manifest list only) | — | exact: ${count === ROWS} |`);

  // 4. Row-level deletes on the 10M-row table.
  const nl = eq('country', 'NL');
  // The same committed files under two more names: one for the merge-on-read delete, one to read plainly.
  const morTable = await warehouse.registerTable({ namespace: ['bench'], name: 'events_mor' }, result.state.metadataLocation);
  const plainFiles = await warehouse.registerTable({ namespace: ['bench'], name: 'events_plain' }, result.state.metadataLocation);
  // Baseline for the rewrite: a fresh write of the same kept rows into a new table, measured right
  // before and right after it (the mean), since load on a shared machine drifts between phases.
  const freshKept = async (name: string) => {
    const fresh = await warehouse.createTable({ namespace: ['bench'], name }, { schema: table.schema(), partitionBy: [{ column: 'ts', transform: 'day' }], sortBy: [{ column: 'ts' }] });
    const start = performance.now();
    await data.appendQuery(fresh, `SELECT * FROM (${generator}) WHERE country <> 'NL'`);
    return (performance.now() - start) / 1000;
  };
  const freshBefore = await freshKept('fresh_before');
  t0 = performance.now();
  const cow = await data.deleteRows(table, nl);
  const cowS = (performance.now() - t0) / 1000;
  const freshS = (freshBefore + (await freshKept('fresh_after'))) / 2;
  t0 = performance.now();
  const mor = await data.deleteRowsMergeOnRead(morTable, nl);
  const morS = (performance.now() - t0) / 1000;
  // Summing a column makes both reads decode data; a bare count(*) would come from Parquet footers.
  const readMor = await timed(async () => session.jsonRows(`SELECT count(*) AS n, sum(value) AS s FROM (${await data.scanSql(morTable, morTable.newScan())})`));
  const readPlain = await timed(async () => session.jsonRows(`SELECT count(*) AS n, sum(value) AS s FROM (${await data.scanSql(plainFiles, plainFiles.newScan())})`));

  // 5. Manifests: 200 small appends without merging, planning before and after rewrite-manifests; and with merging.
  const manifestTable = async (name: string, merge: boolean) =>
    warehouse.createTable({ namespace: ['bench'], name }, { schema: [{ name: 'id', type: 'long' }], properties: { 'commit.manifest-merge.enabled': String(merge) } });
  const unmerged = await manifestTable('appends', false);
  const merged = await manifestTable('appends_merged', true);
  for (let i = 0; i < APPENDS; i++) {
    await data.appendQuery(unmerged, `SELECT ${i}::BIGINT AS id`);
    await data.appendQuery(merged, `SELECT ${i}::BIGINT AS id`);
  }
  const manifestsOf = async (tbl: Table) => (await readManifestList(tbl.io, tbl.currentSnapshot()!.manifestList)).length;
  const unmergedCount = await manifestsOf(unmerged);
  const mergedCount = await manifestsOf(merged);
  const planUnmerged = await timed(() => unmerged.newScan().planFiles(), 3);
  await unmerged.rewriteManifests().commit();
  const planRewritten = await timed(() => unmerged.newScan().planFiles(), 3);

  console.log(`| copy-on-write delete country='NL' (${cow.filesRewritten} files rewritten, ${cow.filesDropped} dropped): rows rewritten/s | ${rate(cowS, cow.rowsRewritten)} (${cow.rowsRewritten.toLocaleString('en-US')} kept rows in ${cowS.toFixed(1)} s, ${cow.deletedRows.toLocaleString('en-US')} deleted) | fresh write of the same ${cow.rowsRewritten.toLocaleString('en-US')} rows (mean of before and after): ${rate(freshS, cow.rowsRewritten)} (${freshS.toFixed(1)} s) | ${(freshS / cowS).toFixed(2)}× of the fresh write's rate |`);
  console.log(`| merge-on-read delete of the same rows (position delete files) | ${morS.toFixed(1)} s, ${mor.filesAdded} delete files, ${mor.deletedRows.toLocaleString('en-US')} positions | copy-on-write: ${cowS.toFixed(1)} s | ${(morS / cowS).toFixed(2)}× the time |`);
  console.log(`| count(*), sum(value) reading through those position deletes | ${readMor.ms.toFixed(0)} ms | same files without deletes: ${readPlain.ms.toFixed(0)} ms | ${(readMor.ms / readPlain.ms).toFixed(2)}× |`);
  console.log(`| scan planning, ${APPENDS} appends, merging off (${unmergedCount} manifests) then rewrite-manifests (1) | ${planRewritten.ms.toFixed(1)} ms after rewrite | ${planUnmerged.ms.toFixed(1)} ms over ${unmergedCount} manifests | ${(planRewritten.ms / planUnmerged.ms).toFixed(3)} |`);
  console.log(`| manifests after ${APPENDS} appends with merging on (defaults: min-count 100, 8 MiB) | ${mergedCount} | merging off: ${unmergedCount} | — |`);
  session.close();
  await database.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
