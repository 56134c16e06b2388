import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DatabaseConfig, QuarryConfig } from '../../src/config/config.ts';
import { DEFAULT_HTTP_CONFIG } from '../../src/config/http-config.ts';
import { loadJobsConfig } from '../../src/config/jobs-config.ts';

export type ConfigOverrides = Partial<Omit<QuarryConfig, 'database' | 'home' | 'jobs' | 'http'>> & {
  jobs?: Partial<QuarryConfig['jobs']>;
  http?: Partial<QuarryConfig['http']>;
};

/**
 * The configuration a test or benchmark node runs with: everything under `home`, logging off,
 * loopback only, every section at its defaults unless overridden. The one place a new config
 * section needs a test default.
 */
export function testConfig(home: string, database: DatabaseConfig, overrides: ConfigOverrides = {}): QuarryConfig {
  const warehouse = overrides.warehouse ?? pathToFileURL(path.join(home, 'warehouse')).href;
  return {
    home,
    host: '127.0.0.1',
    port: 0,
    database,
    warehouse,
    logLevel: 'silent',
    auth: { mode: 'none', allowNoneBeyondLoopback: false },
    s3: { region: 'us-east-1', forcePathStyle: true },
    ...overrides,
    http: { ...DEFAULT_HTTP_CONFIG, ...overrides.http },
    jobs: { ...loadJobsConfig(undefined, home, warehouse, home), ...overrides.jobs },
  };
}
