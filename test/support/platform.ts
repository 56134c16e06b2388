import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_BODY_LIMIT_BYTES, type QuarryConfig } from '../../src/config/config.ts';
import { loadJobsConfig } from '../../src/config/jobs-config.ts';
import { buildApp } from '../../src/http/app.ts';
import { openPlatform, type Platform } from '../../src/http/platform.ts';
import { createTestDatabase, type StoreKind } from './stores.ts';

export interface TestPlatform {
  platform: Platform;
  app: FastifyInstance;
  config: QuarryConfig;
  /** Closes the app and platform and removes every file and database the test platform made. */
  close(): Promise<void>;
}

export type ConfigOverrides = Partial<Omit<QuarryConfig, 'database' | 'home' | 'jobs'>> & { jobs?: Partial<QuarryConfig['jobs']> };

/**
 * A whole Quarry server node on the given store, with its own home folder and warehouse, ready for
 * `app.inject()` or, after `app.listen()`, for real HTTP clients.
 */
export async function openTestPlatform(store: StoreKind, overrides: ConfigOverrides = {}): Promise<TestPlatform> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-home-'));
  const database = await createTestDatabase(store);
  const warehouse = overrides.warehouse ?? pathToFileURL(path.join(home, 'warehouse')).href;
  const config: QuarryConfig = {
    home,
    host: '127.0.0.1',
    port: 0,
    database: database.config,
    warehouse: pathToFileURL(path.join(home, 'warehouse')).href,
    logLevel: 'silent',
    http: { bodyLimitBytes: DEFAULT_BODY_LIMIT_BYTES },
    s3: { region: 'us-east-1', forcePathStyle: true },
    ...overrides,
    jobs: { ...loadJobsConfig(undefined, home, warehouse, home), ...overrides.jobs },
  };
  const platform = await openPlatform(config);
  const app = await buildApp(platform, { logger: false });
  return {
    platform,
    app,
    config,
    async close() {
      await app.close();
      await platform.close();
      await database.drop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
