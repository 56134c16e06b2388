import { openCatalogArea, type CatalogArea } from '../catalog/catalog-area.ts';
import type { QuarryConfig } from '../config/config.ts';
import { openDatabase, type Database } from '../db/database.ts';

/**
 * Everything one server node runs, built from configuration: the composition root. The HTTP app
 * and the CLI receive a Platform; tests build one per store (SQLite, PostgreSQL) the same way.
 */
export interface Platform {
  readonly config: QuarryConfig;
  readonly database: Database;
  /** The federated catalog (/mds/v1). */
  readonly catalog: CatalogArea;
  close(): Promise<void>;
}

export async function openPlatform(config: QuarryConfig): Promise<Platform> {
  const database = await openDatabase(config.database);
  let catalog: CatalogArea;
  try {
    catalog = openCatalogArea(config, database);
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    config,
    database,
    catalog,
    async close() {
      await catalog.close();
      await database.close();
    },
  };
}
