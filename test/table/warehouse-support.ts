import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';
import { runPython } from '../support/python.ts';
import { createTestBucket, testS3Config } from '../support/s3-server.ts';
import { createTestDatabase, type StoreKind, type TestDatabase } from '../support/stores.ts';

export type WarehouseKind = 'folder' | 's3';
export const WAREHOUSES: readonly WarehouseKind[] = ['folder', 's3'];

export interface TestWarehouse {
  warehouse: Warehouse;
  data: TableData;
  session: DuckDbSession;
  database: Database;
  testDatabase: TestDatabase;
  root: string;
  /** A local folder for the test's own files. */
  dir: string;
  close(): Promise<void>;
}

/** A warehouse on a fresh database of `store`, rooted in a temp folder or a fresh test bucket. */
export async function openTestWarehouse(store: StoreKind, kind: WarehouseKind = 'folder'): Promise<TestWarehouse> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-wh-'));
  const testDatabase = await createTestDatabase(store);
  const database = await openDatabase(testDatabase.config);
  const s3 = kind === 's3' ? await testS3Config() : { region: 'us-east-1', forcePathStyle: true };
  const root = kind === 's3' ? `${await createTestBucket()}/warehouse` : pathToFileURL(path.join(dir, 'warehouse')).href;
  const warehouse = Warehouse.open({ database, warehouse: root, s3, cacheDir: path.join(dir, 'cache') });
  const session = await DuckDbSession.open({ memoryLimit: '256MB' });
  return {
    warehouse,
    data: new TableData(session),
    session,
    database,
    testDatabase,
    root,
    dir,
    async close() {
      session.close();
      await database.close();
      await testDatabase.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The events table most table tests use: id, ts (partitioned by day), kind, value; sorted by id. */
export const EVENTS_TABLE = {
  schema: [
    { name: 'id', type: 'long', required: true },
    { name: 'ts', type: 'timestamptz' },
    { name: 'kind', type: 'string' },
    { name: 'value', type: 'double' },
  ],
  partitionBy: [{ column: 'ts', transform: 'day' }],
  sortBy: [{ column: 'id' }],
};

/** PyIceberg's SqlCatalog over the same database Quarry's pointer store uses. */
export async function catalogPrelude(t: TestWarehouse, kind: WarehouseKind): Promise<string> {
  const config = t.testDatabase.config;
  const uri = config.kind === 'sqlite' ? `sqlite:///${config.path}` : config.url.replace(/^postgres:/, 'postgresql+psycopg2:');
  const s3 = kind === 's3' ? await testS3Config() : undefined;
  const props = s3 ? `, **{'s3.endpoint': '${s3.endpoint}', 's3.access-key-id': 'quarry', 's3.secret-access-key': 'quarry-secret', 's3.region': 'us-east-1', 's3.force-virtual-addressing': 'false'}` : '';
  return `
import json, datetime, decimal
from pyiceberg.catalog.sql import SqlCatalog
cat = SqlCatalog('quarry', uri=${JSON.stringify(uri)}, warehouse=${JSON.stringify(t.root)}${props})
def plain(v):
    if isinstance(v, (datetime.datetime, datetime.date)): return v.isoformat()
    if isinstance(v, decimal.Decimal): return str(v)
    return v
`;
}

/** Runs a PyIceberg script after the catalog prelude and parses the JSON its last line prints. */
export async function pyiceberg<T = Record<string, unknown>>(t: TestWarehouse, kind: WarehouseKind, script: string): Promise<T> {
  const py = await runPython((await catalogPrelude(t, kind)) + script);
  if (py.code !== 0) throw new Error(`PyIceberg script failed (exit ${py.code}):\n${py.stderr}`);
  return JSON.parse(py.stdout.trim().split('\n').pop()!) as T;
}
