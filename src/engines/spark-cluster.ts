import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { awaitReady, isAlive, readPid, startDaemon, stopDaemon } from './daemon-process.ts';
import type { EngineCache } from './engine-cache.ts';
import { freeLoopbackPort } from './loopback-port.ts';
import type { Progress } from './progress.ts';
import { sparkCatalogConf, type IcebergRestAccess } from './spark-catalog-conf.ts';
import type { SparkInstallation } from './spark-installation.ts';

/** A running local Spark standalone cluster, as recorded in its run folder's state.json. */
export interface SparkClusterState {
  engine: 'spark';
  name: string;
  masterUrl: string;
  masterWebUrl: string;
  workerWebUrl: string;
  /** SPARK_CONF_DIR holding spark-defaults.conf with the master and Quarry's catalog. */
  confDir: string;
  iceberg: IcebergRestAccess;
  runFolder: string;
}

export interface SparkStartOptions {
  name: string;
  iceberg: IcebergRestAccess;
  /** Cores and memory the worker offers (default 2 cores, 1g: two 512m one-core executors, so two jobs run at once). */
  workerCores?: number;
  workerMemory?: string;
  timeoutMs?: number;
}

const STATE = 'state.json';

export function sparkEnv(installation: SparkInstallation, confDir?: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    JAVA_HOME: installation.javaHome,
    SPARK_HOME: installation.sparkHome,
    SPARK_LOCAL_IP: '127.0.0.1',
    PYSPARK_PYTHON: installation.python,
    ...(confDir ? { SPARK_CONF_DIR: confDir } : {}),
  };
}

export function readSparkCluster(cache: EngineCache, name: string): SparkClusterState | undefined {
  const file = path.join(cache.run('spark', name), STATE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SparkClusterState) : undefined;
}

/** Whether the master and the worker of a recorded cluster are both alive. */
export function sparkClusterRunning(cache: EngineCache, name: string): boolean {
  const run = cache.run('spark', name);
  return ['master', 'worker'].every((role) => {
    const pid = readPid(path.join(run, `${role}.pid`));
    return pid !== undefined && isAlive(-pid);
  });
}

/**
 * Starts a Spark standalone master and one worker on free loopback ports, each in its own process
 * group with a pid file, and waits until the master reports the worker ALIVE. Writes
 * `conf/spark-defaults.conf` (master URL, Quarry's Iceberg REST catalog as the default catalog, the
 * runtime jar) so `spark-sql` with SPARK_CONF_DIR set reads Quarry's tables with no other flag.
 * A cluster of this name already running is an error naming `quarry engines stop`.
 */
export async function startSparkCluster(cache: EngineCache, installation: SparkInstallation, options: SparkStartOptions, progress: Progress): Promise<SparkClusterState> {
  const runFolder = cache.run('spark', options.name);
  if (sparkClusterRunning(cache, options.name)) throw new Error(`Spark cluster ${options.name} is already running (${runFolder}); stop it first: quarry engines stop spark --name ${options.name}`);
  await stopSparkCluster(cache, options.name); // leftovers of a half-dead cluster
  rmSync(runFolder, { recursive: true, force: true });
  const confDir = path.join(runFolder, 'conf');
  mkdirSync(confDir, { recursive: true });
  mkdirSync(path.join(runFolder, 'work'), { recursive: true });
  const [port, webPort, workerWebPort] = [await freeLoopbackPort(), await freeLoopbackPort(), await freeLoopbackPort()];
  const masterUrl = `spark://127.0.0.1:${port}`;
  const conf = [['spark.master', masterUrl], ...sparkCatalogConf(options.iceberg, installation.icebergJar), ['spark.driver.host', '127.0.0.1'], ['spark.ui.enabled', 'false']];
  writeFileSync(path.join(confDir, 'spark-defaults.conf'), conf.map(([k, v]) => `${k} ${v}`).join('\n') + '\n');
  const env = sparkEnv(installation, confDir);
  const sparkClass = path.join(installation.sparkHome, 'bin', 'spark-class');
  const state: SparkClusterState = {
    engine: 'spark',
    name: options.name,
    masterUrl,
    masterWebUrl: `http://127.0.0.1:${webPort}`,
    workerWebUrl: `http://127.0.0.1:${workerWebPort}`,
    confDir,
    iceberg: options.iceberg,
    runFolder,
  };
  writeFileSync(path.join(runFolder, STATE), JSON.stringify(state, null, 2) + '\n');
  const timeoutMs = options.timeoutMs ?? 180_000;
  progress(`starting Spark master ${masterUrl}`);
  const masterLog = path.join(runFolder, 'master.log');
  const masterPid = startDaemon(sparkClass, ['org.apache.spark.deploy.master.Master', '--host', '127.0.0.1', '--port', String(port), '--webui-port', String(webPort)], {
    pidFile: path.join(runFolder, 'master.pid'),
    logFile: masterLog,
    cwd: runFolder,
    env: { ...env, SPARK_DAEMON_MEMORY: '512m' },
  });
  await awaitReady(`Spark master ${masterUrl}`, async () => ((await masterJson(state)).status === 'ALIVE' ? true : undefined), { pid: masterPid, logFile: masterLog, timeoutMs });
  progress(`starting a Spark worker (${options.workerCores ?? 2} core, ${options.workerMemory ?? '1g'})`);
  const workerLog = path.join(runFolder, 'worker.log');
  const workerPid = startDaemon(
    sparkClass,
    ['org.apache.spark.deploy.worker.Worker', '--host', '127.0.0.1', '--webui-port', String(workerWebPort), '--cores', String(options.workerCores ?? 2), '--memory', options.workerMemory ?? '1g', '--work-dir', path.join(runFolder, 'work'), masterUrl],
    { pidFile: path.join(runFolder, 'worker.pid'), logFile: workerLog, cwd: runFolder, env: { ...env, SPARK_DAEMON_MEMORY: '512m' } },
  );
  await awaitReady(
    `Spark worker of ${masterUrl}`,
    async () => {
      const json = await masterJson(state);
      return json.aliveworkers >= 1 ? true : undefined;
    },
    { pid: workerPid, logFile: workerLog, timeoutMs },
  );
  progress(`Spark cluster ${options.name} is up: ${masterUrl} (web UI ${state.masterWebUrl})`);
  return state;
}

async function masterJson(state: SparkClusterState): Promise<{ status: string; aliveworkers: number }> {
  const response = await fetch(`${state.masterWebUrl}/json/`, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`master web UI answered ${response.status}`);
  return (await response.json()) as { status: string; aliveworkers: number };
}

/** Stops the worker, then the master (each whole process group); answers whether anything ran. */
export async function stopSparkCluster(cache: EngineCache, name: string): Promise<boolean> {
  const run = cache.run('spark', name);
  const worker = await stopDaemon(path.join(run, 'worker.pid'));
  const master = await stopDaemon(path.join(run, 'master.pid'));
  return worker || master;
}
