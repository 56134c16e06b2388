import type { QuarryConfig } from '../config/config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { interimResolver } from '../jobs/interim/interim-resolver.ts';
import { openJobsArea, type JobsArea } from '../jobs/jobs-area.ts';

/**
 * Everything one server node runs, built from configuration: the composition root. The HTTP app
 * and the CLI receive a Platform; tests build one per store (SQLite, PostgreSQL) the same way.
 */
export interface Platform {
  readonly config: QuarryConfig;
  readonly database: Database;
  readonly jobs: JobsArea;
  close(): Promise<void>;
}

export async function openPlatform(config: QuarryConfig): Promise<Platform> {
  const database = await openDatabase(config.database);
  // TEMPORARY: the interim resolver stands in for the registry's until branch `registry` lands.
  const jobs = openJobsArea(config, database, interimResolver(config.home));
  return {
    config,
    database,
    jobs,
    async close() {
      await jobs.close();
      await database.close();
    },
  };
}
