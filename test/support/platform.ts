import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { QuarryConfig } from '../../src/config/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { openPlatform, type Platform } from '../../src/http/platform.ts';
import { createTestDatabase, type StoreKind } from './stores.ts';
import { testConfig, type ConfigOverrides } from './test-config.ts';

export type { ConfigOverrides };

export interface TestPlatform {
  platform: Platform;
  app: FastifyInstance;
  config: QuarryConfig;
  /** Closes the app and platform and removes every file and database the test platform made. */
  close(): Promise<void>;
}

/**
 * A whole Quarry server node on the given store, with its own home folder and warehouse, ready for
 * `app.inject()` or, after `app.listen()`, for real HTTP clients.
 */
export async function openTestPlatform(store: StoreKind, overrides: ConfigOverrides = {}): Promise<TestPlatform> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-home-'));
  const database = await createTestDatabase(store);
  const config = testConfig(home, database.config, overrides);
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
