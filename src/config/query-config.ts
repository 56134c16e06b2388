import path from 'node:path';
import { ConfigError } from './config-error.ts';
import type { ConfigFile } from './file-schema.ts';

/** Limits of SQL over warehouse tables (src/query/query-engine.ts). */
export interface QueryConfig {
  memoryLimit: string;
  /** Absolute folder for spill files. */
  spillDirectory: string;
  threads?: number;
  maxJsonRows: number;
}

const MEMORY = /^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/;

export function loadQueryConfig(file: ConfigFile['query'], env: Readonly<Record<string, string | undefined>>, home: string, cwd: string): QueryConfig {
  const memoryLimit = env.QUARRY_QUERY_MEMORY_LIMIT?.trim() || file?.memoryLimit || '1GB';
  if (!MEMORY.test(memoryLimit)) throw new ConfigError("QUARRY_QUERY_MEMORY_LIMIT (query.memoryLimit)", `must be a size such as 512MB or 2GB (got ${JSON.stringify(memoryLimit)})`);
  return {
    memoryLimit,
    spillDirectory: path.resolve(cwd, file?.spillDirectory ?? path.join(home, 'spill')),
    threads: file?.threads,
    maxJsonRows: file?.maxJsonRows ?? 100_000,
  };
}

/** The query settings of a configuration, with defaults for one built in code without them (tests). */
export function queryConfigOf(config: { query?: QueryConfig; home: string }): QueryConfig {
  return config.query ?? loadQueryConfig(undefined, {}, config.home, config.home);
}
