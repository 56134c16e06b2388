// Metacat partition listings of an Iceberg table (/mds/v1 on the warehouse catalog): every listing,
// page and count of one snapshot reads the same manifests, so IcebergTables keeps each snapshot's
// partitions by metadata location. This compares listings served that way with the same listings read
// from the manifests each time (a cache bound of 0), interleaved call by call so that machine load
// falls on both alike. The table: PARTITIONS partitions written by COMMITS appends (one manifest each),
// the shape of a table filled by a daily or hourly job. The data files are manifest entries only: a
// listing reads manifests, never data. SQLite pointer store, local-folder warehouse (the database
// answers one pointer lookup per call either way).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IcebergTables } from '../src/catalog/connectors/warehouse/iceberg-tables.ts';
import { parseFilter } from '../src/catalog/filter/filter-parser.ts';
import { QualifiedName } from '../src/catalog/qualified-name.ts';
import { openDatabase } from '../src/db/database.ts';
import { FileContent, type DataFile } from '../src/table/data-file.ts';
import { Warehouse } from '../src/warehouse/warehouse.ts';
import { createTestDatabase } from '../test/support/stores.ts';

const COMMITS = Number(process.env.BENCH_COMMITS ?? 100);
const PER_COMMIT = Number(process.env.BENCH_PARTITIONS_PER_COMMIT ?? 200);
const CALLS = Number(process.env.BENCH_CALLS ?? 40);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-bench-iceberg-partitions-'));
const testDatabase = await createTestDatabase('sqlite');
const database = await openDatabase(testDatabase.config);
try {
  const root = pathToFileURL(path.join(dir, 'warehouse')).href;
  const warehouse = Warehouse.open({ database, warehouse: root, s3: { region: 'us-east-1', forcePathStyle: true } });
  const table = await warehouse.createTable(
    { namespace: ['bench'], name: 'events' },
    { schema: [{ name: 'id', type: 'long' }, { name: 'part', type: 'string' }], partitionBy: [{ column: 'part' }] },
  );
  const t0 = performance.now();
  for (let c = 0; c < COMMITS; c++) {
    const files: DataFile[] = Array.from({ length: PER_COMMIT }, (_, i) => {
      const part = `p${String(c * PER_COMMIT + i).padStart(7, '0')}`;
      return { content: FileContent.Data, filePath: `${root}/bench.db/events/data/part=${part}/f.parquet`, fileFormat: 'PARQUET', specId: 0, partition: [part], recordCount: 1000, fileSizeInBytes: 65_536 };
    });
    await table.newAppend().appendFiles(files).commit();
  }
  const partitions = COMMITS * PER_COMMIT;
  console.log(`seeded ${partitions} partitions in ${COMMITS} commits in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const name = QualifiedName.ofTable('warehouse', 'bench', 'events');
  const uncached = new IcebergTables(warehouse, 'warehouse', 0);
  const cached = new IcebergTables(warehouse, 'warehouse');
  const scenarios: Array<[string, (tables: IcebergTables) => Promise<unknown>]> = [
    ['one partition by filter (part = ...)', (tables) => tables.listPartitions(name, { filter: parseFilter(`part = 'p${String(partitions >> 1).padStart(7, '0')}'`) })],
    ['a page of 100, newest first', (tables) => tables.listPartitions(name, { sortBy: 'createdDate', sortOrder: 'DESC', limit: 100 })],
    ['count', (tables) => tables.countPartitions(name)],
  ];
  const first = performance.now();
  await cached.countPartitions(name);
  const firstMs = performance.now() - first;

  console.log(`Iceberg partition listing, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; ${partitions} partitions written by ${COMMITS} appends; ${CALLS} calls per scenario.`);
  console.log(`first (cold) read of the snapshot: ${firstMs.toFixed(1)} ms`);
  console.log('');
  console.log('| scenario | manifests read each time p50 / p99 ms | served by snapshot p50 / p99 ms | ratio (p50) |');
  console.log('|---|---:|---:|---:|');
  for (const [label, run] of scenarios) {
    const slow: number[] = [];
    const fast: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      for (const [tables, out] of [[uncached, slow], [cached, fast]] as const) {
        const start = performance.now();
        await run(tables);
        out.push(performance.now() - start);
      }
    }
    const ratio = percentile(fast, 50) / percentile(slow, 50);
    console.log(`| ${label} | ${percentile(slow, 50).toFixed(1)} / ${percentile(slow, 99).toFixed(1)} | ${percentile(fast, 50).toFixed(2)} / ${percentile(fast, 99).toFixed(2)} | ${ratio.toFixed(3)}× |`);
  }
} finally {
  await database.close();
  await testDatabase.drop();
  rmSync(dir, { recursive: true, force: true });
}
