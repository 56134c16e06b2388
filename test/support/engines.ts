import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineCache, type EngineCache } from '../../src/engines/engine-cache.ts';
import { registerEngine, type RegisteredEngine } from '../../src/engines/engine-registration.ts';
import { httpRegistryClient } from '../../src/engines/engine-registry-client.ts';
import { installedSpark, type SparkInstallation } from '../../src/engines/spark-installation.ts';
import { installedTrino, type TrinoInstallation } from '../../src/engines/trino-installation.ts';
import { openObjectStore } from '../../src/storage/open-object-store.ts';
import type { JobsHarness } from './jobs-harness.ts';

export const QUARRY_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

/**
 * The engines scripts/services/engines.sh installed with `quarry engines install` (with-services.sh
 * exports QUARRY_TEST_ENGINES_CACHE), with run folders (pid files, logs) in a fresh temporary folder
 * so that test clusters never meet a user's. Missing engines are a failure naming the fix, never a skip.
 */
export function testEngineCache(): EngineCache & { cleanup(): void } {
  const root = process.env.QUARRY_TEST_ENGINES_CACHE;
  if (!root) throw new Error('No engines for tests (QUARRY_TEST_ENGINES_CACHE); run through scripts/with-services.sh, which runs scripts/services/engines.sh install');
  const shared = engineCache('/nonexistent', { QUARRY_ENGINES_CACHE: root });
  const runs = mkdtempSync(path.join(os.tmpdir(), 'quarry-engine-runs-'));
  return { ...shared, run: (engine, cluster) => path.join(runs, `${engine}-${cluster}`), cleanup: () => rmSync(runs, { recursive: true, force: true }) };
}

export function testSpark(cache: EngineCache): SparkInstallation {
  const spark = installedSpark(cache);
  if (!spark) throw new Error(`Spark is not installed in ${cache.root}: run scripts/services/engines.sh install (quarry engines install spark)`);
  return spark;
}

export function testTrino(cache: EngineCache): TrinoInstallation {
  const trino = installedTrino(cache);
  if (!trino) throw new Error(`Trino is not installed in ${cache.root}: run scripts/services/engines.sh install (quarry engines install trino)`);
  return trino;
}

/** Registers an engine cluster with a harness's server as `quarry engines register` does. */
export function registerWithHarness(
  h: JobsHarness,
  engine: 'spark' | 'trino',
  name: string,
  address: string,
  installation: { spark?: SparkInstallation; trino?: TrinoInstallation },
  tags: string[] = [],
): Promise<RegisteredEngine> {
  return registerEngine(openObjectStore(h.t.config.warehouse, h.t.config.s3), httpRegistryClient(h.url), {
    engine,
    name,
    tags,
    address,
    iceberg: { uri: `${h.url}/iceberg` },
    quarryCommand: [process.execPath, QUARRY_BIN],
    ...installation,
  });
}

/** One shell word for a job's commandArgs (the agent's run script appends them to the command line). */
export const shellWord = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
