// What reading struct members renamed by another writer costs. Two tables with the same rows in the
// same number of files; one then gets a schema in which a struct member was renamed (committed
// through the Iceberg REST catalog, as PyIceberg or Spark would), so its scans look up each file's
// own member names (parquet_schema) and rebuild the structs under today's names. Full scans that
// read the struct member, interleaved round by round. SQLite pointer store, local-folder warehouse.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IcebergRestCatalog } from '../src/catalog/iceberg-rest/iceberg-rest-catalog.ts';
import { openDatabase } from '../src/db/database.ts';
import { DuckDbSession } from '../src/table/duckdb-session.ts';
import type { IcebergType } from '../src/table/iceberg-type.ts';
import type { Table } from '../src/table/table.ts';
import { TableData } from '../src/table/table-data.ts';
import { Warehouse } from '../src/warehouse/warehouse.ts';
import { createTestDatabase } from '../test/support/stores.ts';

const FILES = Number(process.env.BENCH_FILES ?? 100);
const ROWS_PER_FILE = Number(process.env.BENCH_ROWS_PER_FILE ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const member = (name: string, type: IcebergType) => ({ id: 0, name, required: false, type });

const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-bench-nested-'));
const testDatabase = await createTestDatabase('sqlite');
const database = await openDatabase(testDatabase.config);
const session = await DuckDbSession.open({ memoryLimit: '512MB', threads: 1 });
try {
  const root = pathToFileURL(path.join(dir, 'warehouse')).href;
  const warehouse = Warehouse.open({ database, warehouse: root, s3: { region: 'us-east-1', forcePathStyle: true } });
  const data = new TableData(session);
  const request = {
    schema: [
      { name: 'id', type: 'long' as const },
      { name: 'info', type: { kind: 'struct' as const, fields: [member('city', { kind: 'string' }), member('zip', { kind: 'string' })] } },
    ],
  };
  const tables: Record<'unchanged' | 'renamed', Table> = {
    unchanged: await warehouse.createTable({ namespace: ['bench'], name: 'unchanged' }, request),
    renamed: await warehouse.createTable({ namespace: ['bench'], name: 'renamed' }, request),
  };
  for (let f = 0; f < FILES; f++) {
    const rows = Array.from({ length: ROWS_PER_FILE }, (_, i) => ({ id: f * ROWS_PER_FILE + i, info: { city: `city-${i % 97}`, zip: `${1000 + (i % 9000)}` } }));
    for (const table of Object.values(tables)) await data.appendRows(table, rows);
  }
  // Rename info.city to info.town in one table, as another client would through /iceberg/v1.
  const catalog = new IcebergRestCatalog(warehouse, { s3: { region: 'us-east-1', forcePathStyle: true } });
  const schema = tables.renamed.schema().toJson() as { fields: { name: string; type: { fields: { name: string }[] } }[] };
  schema.fields[1]!.type.fields[0]!.name = 'town';
  await catalog.commitTable({
    id: { namespace: ['bench'], name: 'renamed' },
    requirements: [],
    updates: [
      { action: 'add-schema', schema: { ...schema, 'schema-id': 1 } },
      { action: 'set-current-schema', 'schema-id': -1 },
    ],
  } as never);
  const renamed = await warehouse.loadTable({ namespace: ['bench'], name: 'renamed' });
  const unchanged = await warehouse.loadTable({ namespace: ['bench'], name: 'unchanged' });

  const scan = async (table: Table, column: string) => {
    const t0 = performance.now();
    const [row] = await session.jsonRows(`SELECT count(*) AS n, sum(length(info.${column})) AS chars FROM (${await data.scanSql(table, table.newScan())})`);
    return { ms: performance.now() - t0, row };
  };
  const a = await scan(unchanged, 'city');
  const b = await scan(renamed, 'town');
  if (JSON.stringify(a.row) !== JSON.stringify(b.row)) throw new Error(`the renamed table reads other values: ${JSON.stringify(a.row)} vs ${JSON.stringify(b.row)}`);
  const plain: number[] = [];
  const looked: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2) {
      plain.push((await scan(unchanged, 'city')).ms);
      looked.push((await scan(renamed, 'town')).ms);
    } else {
      looked.push((await scan(renamed, 'town')).ms);
      plain.push((await scan(unchanged, 'city')).ms);
    }
  }
  console.log(`Nested renames, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}; ${FILES} files × ${ROWS_PER_FILE} rows, ${ROUNDS} interleaved full scans each (same answer: ${JSON.stringify(a.row)}).`);
  console.log('| table | scan p50 ms | ratio |');
  console.log('|---|---:|---:|');
  console.log(`| member names unchanged (one read_parquet) | ${median(plain).toFixed(1)} | 1.00 |`);
  console.log(`| a member renamed since (file names known, structs rebuilt) | ${median(looked).toFixed(1)} | ${(median(looked) / median(plain)).toFixed(2)} |`);
  console.log(`| first scans: unchanged / renamed (names of all ${FILES} files read in one query) | ${a.ms.toFixed(1)} / ${b.ms.toFixed(1)} | ${(b.ms / a.ms).toFixed(2)} |`);
} finally {
  session.close();
  await database.close();
  await testDatabase.drop();
  rmSync(dir, { recursive: true, force: true });
}
