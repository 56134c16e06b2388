import type { QuarryConfig } from '../config/config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { RegistryService } from '../jobs/registry/registry-service.ts';

/**
 * Everything one server node runs, built from configuration: the composition root. The HTTP app
 * and the CLI receive a Platform; tests build one per store (SQLite, PostgreSQL) the same way.
 */
export interface Platform {
  readonly config: QuarryConfig;
  readonly database: Database;
  /** Genie's registry of applications, clusters and commands. */
  readonly registry: RegistryService;
  close(): Promise<void>;
}

export async function openPlatform(config: QuarryConfig): Promise<Platform> {
  const database = await openDatabase(config.database);
  return {
    config,
    database,
    registry: new RegistryService(database),
    async close() {
      await database.close();
    },
  };
}
