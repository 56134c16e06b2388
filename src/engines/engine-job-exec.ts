import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { resultLines } from '../query/result-formats.ts';
import { EngineUsageError } from './engine-usage-error.ts';
import type { EngineJobEnvironment } from './engine-job-environment.ts';
import { ENGINE_CATALOG, sparkCatalogConf } from './spark-catalog-conf.ts';
import { SPARK_SQL_DRIVER } from './spark-sql-driver.ts';
import { runTrinoStatement, type TrinoResult } from './trino-statement-client.ts';

export const EXEC_TOOLS = ['spark-submit', 'spark-sql', 'trino', 'sql'] as const;
export type ExecTool = (typeof EXEC_TOOLS)[number];

/** Spark driver settings for a job on a shared host: small driver and executors, one core each. */
const SPARK_JOB_CONF: Array<[string, string]> = [
  ['spark.driver.memory', '512m'],
  ['spark.executor.memory', '512m'],
  ['spark.executor.cores', '1'],
  ['spark.cores.max', '1'],
  ['spark.driver.host', '127.0.0.1'],
  ['spark.driver.bindAddress', '127.0.0.1'],
  ['spark.ui.enabled', 'false'],
  ['spark.sql.shuffle.partitions', '2'],
];

function sparkArguments(job: EngineJobEnvironment): string[] {
  const spark = job.spark!;
  const conf = [...sparkCatalogConf(job.iceberg, spark.icebergJar), ...SPARK_JOB_CONF];
  return ['--master', job.address, ...conf.flatMap(([k, v]) => ['--conf', `${k}=${v}`])];
}

function sparkProcessEnv(job: EngineJobEnvironment): NodeJS.ProcessEnv {
  return { ...process.env, JAVA_HOME: job.spark!.javaHome, SPARK_HOME: job.spark!.sparkHome, PYSPARK_PYTHON: job.spark!.python, SPARK_LOCAL_IP: '127.0.0.1' };
}

/**
 * Runs an engine's own client inside a job, wired to the job's cluster and to Quarry's catalog:
 * `spark-submit` / `spark-sql` against the cluster's master with Quarry's catalog as Spark's default,
 * `trino` (the Trino CLI) against the coordinator with catalog `quarry`; the user's arguments follow.
 * Answers the client's exit code.
 */
export function execEngineTool(tool: Exclude<ExecTool, 'sql'>, job: EngineJobEnvironment, args: readonly string[]): Promise<number> {
  let command: string;
  let argv: string[];
  let env: NodeJS.ProcessEnv;
  if (tool === 'trino') {
    if (job.engine !== 'trino') throw new EngineUsageError(`the trino command runs on type:trino clusters; this job's cluster is ${job.engine}`);
    command = path.join(job.trino!.javaHome, 'bin', 'java');
    argv = ['-jar', job.trino!.cliJar, '--server', job.address, '--catalog', ENGINE_CATALOG, '--user', process.env.USER ?? 'quarry', ...args];
    env = { ...process.env, JAVA_HOME: job.trino!.javaHome };
  } else {
    if (job.engine !== 'spark') throw new EngineUsageError(`${tool} runs on type:spark clusters; this job's cluster is ${job.engine}`);
    command = path.join(job.spark!.sparkHome, 'bin', tool);
    argv = [...sparkArguments(job), ...args];
    env = sparkProcessEnv(job);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: 'inherit', env });
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/**
 * Runs one SQL statement on the job's engine and writes the result as `quarry query` does (CSV with a
 * header line, or NDJSON), so a `sql` job's output is the same whichever engine its cluster has.
 */
export async function runEngineSql(job: EngineJobEnvironment, sql: string, format: 'csv' | 'ndjson', output: string | undefined): Promise<number> {
  const result = job.engine === 'trino' ? await runTrinoStatement(job.address, sql) : await runSparkSql(job, sql);
  const sink = output ? createWriteStream(output) : process.stdout;
  async function* chunks() {
    yield result.rows;
  }
  for await (const text of resultLines(format, result.columns, chunks())) if (!sink.write(text)) await once(sink, 'drain');
  if (output) await new Promise<void>((resolve, reject) => (sink as ReturnType<typeof createWriteStream>).end((error?: Error | null) => (error ? reject(error) : resolve())));
  process.stderr.write(`quarry: ${result.rows.length} rows from ${job.engine} at ${job.address}\n`);
  return 0;
}

async function runSparkSql(job: EngineJobEnvironment, sql: string): Promise<TrinoResult> {
  if (job.engine !== 'spark') throw new EngineUsageError('runSparkSql needs a Spark cluster');
  // The driver, the statement and the result live in the job's folder (the working directory).
  const driver = path.resolve('.quarry-spark-sql.py');
  const statement = path.resolve('.quarry-spark-sql.sql');
  const result = path.resolve('.quarry-spark-sql.json');
  writeFileSync(driver, SPARK_SQL_DRIVER);
  writeFileSync(statement, sql);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(path.join(job.spark!.sparkHome, 'bin', 'spark-submit'), [...sparkArguments(job), driver, result, statement], { stdio: ['ignore', 'inherit', 'inherit'], env: sparkProcessEnv(job) });
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(`spark-submit of the SQL failed (exit ${code}); its output is above`);
  return JSON.parse(readFileSync(result, 'utf8')) as TrinoResult;
}
