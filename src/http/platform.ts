import type { QuarryConfig } from '../config/config.ts';
import { openDatabase, type Database } from '../db/database.ts';

/**
 * Everything one server node runs, built from configuration: the composition root. The HTTP app
 * and the CLI receive a Platform; tests build one per store (SQLite, PostgreSQL) the same way.
 */
export interface Platform {
  readonly config: QuarryConfig;
  readonly database: Database;
  close(): Promise<void>;
}

export async function openPlatform(config: QuarryConfig): Promise<Platform> {
  const database = await openDatabase(config.database);
  return {
    config,
    database,
    async close() {
      await database.close();
    },
  };
}
