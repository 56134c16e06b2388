import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { S3Config } from '../config/config.ts';
import { awaitReady, isAlive, readPid, startDaemon, stopDaemon } from './daemon-process.ts';
import type { EngineCache } from './engine-cache.ts';
import { freeLoopbackPort } from './loopback-port.ts';
import type { Progress } from './progress.ts';
import type { IcebergRestAccess } from './spark-catalog-conf.ts';
import { ENGINE_CATALOG } from './spark-catalog-conf.ts';
import { trinoCatalogProperties } from './trino-catalog-properties.ts';
import type { TrinoInstallation } from './trino-installation.ts';

/** A running local Trino coordinator, as recorded in its run folder's state.json. */
export interface TrinoClusterState {
  engine: 'trino';
  name: string;
  /** The coordinator's HTTP address, e.g. `http://127.0.0.1:41234` (POST /v1/statement). */
  url: string;
  iceberg: IcebergRestAccess;
  runFolder: string;
}

export interface TrinoStartOptions {
  name: string;
  iceberg: IcebergRestAccess;
  /** The warehouse's S3 settings when it lives in S3 (Trino reads and writes the files itself). */
  s3?: S3Config;
  /** JVM heap (default 1g: the host is shared). */
  heap?: string;
  timeoutMs?: number;
}

const STATE = 'state.json';

export function readTrinoCluster(cache: EngineCache, name: string): TrinoClusterState | undefined {
  const file = path.join(cache.run('trino', name), STATE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as TrinoClusterState) : undefined;
}

export function trinoClusterRunning(cache: EngineCache, name: string): boolean {
  const pid = readPid(path.join(cache.run('trino', name), 'coordinator.pid'));
  return pid !== undefined && isAlive(-pid);
}

/**
 * Starts a Trino coordinator (that also schedules work on itself) on a free loopback port, with the
 * `quarry` catalog on Quarry's Iceberg REST catalog, and waits until it answers /v1/info with
 * `starting: false`. Trino's `node.*` settings are JVM properties (it refuses them in config files).
 */
export async function startTrinoCluster(cache: EngineCache, installation: TrinoInstallation, options: TrinoStartOptions, progress: Progress): Promise<TrinoClusterState> {
  const runFolder = cache.run('trino', options.name);
  if (trinoClusterRunning(cache, options.name)) throw new Error(`Trino cluster ${options.name} is already running (${runFolder}); stop it first: quarry engines stop trino --name ${options.name}`);
  await stopTrinoCluster(cache, options.name);
  rmSync(runFolder, { recursive: true, force: true });
  const etc = path.join(runFolder, 'etc');
  mkdirSync(path.join(etc, 'catalog'), { recursive: true });
  mkdirSync(path.join(runFolder, 'data'), { recursive: true });
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(
    path.join(etc, 'config.properties'),
    [
      'coordinator=true',
      'node-scheduler.include-coordinator=true',
      `http-server.http.port=${port}`,
      `discovery.uri=${url}`,
      'query.max-memory=512MB',
      'query.max-memory-per-node=512MB',
    ].join('\n') + '\n',
  );
  writeFileSync(path.join(etc, 'catalog', `${ENGINE_CATALOG}.properties`), trinoCatalogProperties(options.iceberg, options.s3));
  writeFileSync(path.join(etc, 'catalog', 'tpch.properties'), 'connector.name=tpch\n');
  writeFileSync(path.join(etc, 'catalog', 'memory.properties'), 'connector.name=memory\n');
  const state: TrinoClusterState = { engine: 'trino', name: options.name, url, iceberg: options.iceberg, runFolder };
  writeFileSync(path.join(runFolder, STATE), JSON.stringify(state, null, 2) + '\n');
  const logFile = path.join(runFolder, 'coordinator.log');
  progress(`starting Trino ${installation.version} coordinator on ${url} (Java ${installation.javaHome})`);
  const pid = startDaemon(
    path.join(installation.javaHome, 'bin', 'java'),
    [
      `-Xmx${options.heap ?? '1g'}`,
      '-XX:+UseG1GC',
      '-Djdk.attach.allowAttachSelf=true',
      '-XX:+EnableDynamicAgentLoading',
      '-Dnode.environment=quarry',
      `-Dnode.id=quarry-${options.name}`,
      // Else Trino announces the host's first interface and polls itself there (timeouts on hosts
      // whose outside address does not answer).
      '-Dnode.internal-address=127.0.0.1',
      `-Dnode.data-dir=${path.join(runFolder, 'data')}`,
      `-Dconfig=${path.join(etc, 'config.properties')}`,
      `-Dcatalog.config-dir=${path.join(etc, 'catalog')}`,
      `-Dplugin.dir=${path.join(installation.serverHome, 'plugin')}`,
      '-cp',
      `${path.join(installation.serverHome, 'lib')}/*`,
      'io.trino.server.TrinoServer',
    ],
    { pidFile: path.join(runFolder, 'coordinator.pid'), logFile, cwd: runFolder, env: { ...process.env, JAVA_HOME: installation.javaHome } },
  );
  await awaitReady(
    `Trino coordinator ${url}`,
    async () => {
      const response = await fetch(`${url}/v1/info`, { signal: AbortSignal.timeout(5000) });
      const info = (await response.json()) as { starting?: boolean };
      return info.starting === false ? true : undefined;
    },
    { pid, logFile, timeoutMs: options.timeoutMs ?? 240_000 },
  );
  progress(`Trino cluster ${options.name} is up: ${url}`);
  return state;
}

export async function stopTrinoCluster(cache: EngineCache, name: string): Promise<boolean> {
  return stopDaemon(path.join(cache.run('trino', name), 'coordinator.pid'), 30_000);
}
