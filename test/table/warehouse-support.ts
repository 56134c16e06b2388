import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';
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
