import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { SPARK_PLAIN_VALUE } from '../../src/engines/spark-sql-driver.ts';

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'spark-driver.py');

/** One Iceberg REST catalog as Spark sees it: `spark.sql.catalog.<name>.uri` (and `.token` when given). */
export interface SparkCatalog {
  uri: string;
  token?: string;
}

export type SparkRow = Record<string, unknown>;

/**
 * A local Spark (`local[2]`, 1 GB driver) with the Iceberg runtime, talking to Quarry's REST catalog
 * on loopback. Start one per test file: a start costs ~10–20 s of two shared cores.
 */
export interface SparkSession {
  /** Runs one statement; rejects with Spark's message when it fails. */
  sql(statement: string): Promise<SparkRow[]>;
  /** Runs one statement that must fail, and answers Spark's message. */
  sqlError(statement: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * What scripts/services/spark.sh installed (scripts/with-services.sh exports it). A missing
 * installation is a failure with the command that fixes it, never a skip.
 */
function sparkInstallation(): { python: string; jar: string; javaHome: string } {
  const python = process.env.QUARRY_TEST_SPARK_PYTHON;
  const jar = process.env.QUARRY_TEST_SPARK_JAR;
  const javaHome = process.env.QUARRY_TEST_SPARK_JAVA_HOME;
  if (!python || !jar || !javaHome || !existsSync(python) || !existsSync(jar)) {
    throw new Error('No Spark for tests (QUARRY_TEST_SPARK_PYTHON/_JAR/_JAVA_HOME); run through scripts/with-services.sh, which runs scripts/services/spark.sh install');
  }
  return { python, jar, javaHome };
}

export async function openSpark(catalogs: Record<string, SparkCatalog>): Promise<SparkSession> {
  const { python, jar, javaHome } = sparkInstallation();
  // The driver imports the value conversion the product's Spark sql jobs use, written here as a module.
  const modules = mkdtempSync(path.join(os.tmpdir(), 'quarry-spark-driver-'));
  writeFileSync(path.join(modules, 'quarry_spark_values.py'), SPARK_PLAIN_VALUE);
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(python, [DRIVER], {
    env: {
      ...process.env,
      PYTHONPATH: [modules, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter),
      JAVA_HOME: javaHome,
      SPARK_LOCAL_IP: '127.0.0.1',
      PYSPARK_SUBMIT_ARGS: '--driver-memory 1g --conf spark.driver.extraJavaOptions=-XX:+UseSerialGC pyspark-shell',
      QUARRY_SPARK_JAR: jar,
      QUARRY_SPARK_CATALOGS: JSON.stringify(catalogs),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const lines: Interface = createInterface({ input: child.stdout });
  const iterator = lines[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await iterator.next();
    if (done) throw new Error(`Spark driver exited (code ${String(child.exitCode)}):\n${stderr}`);
    return JSON.parse(value as string) as Record<string, unknown>;
  };
  const ready = await next();
  if (!ready.ready) throw new Error(`Spark driver did not start: ${JSON.stringify(ready)}\n${stderr}`);
  let queue: Promise<unknown> = Promise.resolve();
  const request = (statement: string): Promise<Record<string, unknown>> => {
    const answer = queue.then(async () => {
      child.stdin.write(JSON.stringify({ sql: statement }) + '\n');
      return next();
    });
    queue = answer.catch(() => undefined);
    return answer;
  };
  return {
    async sql(statement) {
      const answer = await request(statement);
      if (typeof answer.error === 'string') throw new Error(`Spark failed on ${statement}:\n${answer.error}`);
      return answer.rows as SparkRow[];
    },
    async sqlError(statement) {
      const answer = await request(statement);
      if (typeof answer.error !== 'string') throw new Error(`Spark accepted ${statement}, which should fail`);
      return answer.error;
    },
    async close() {
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
      lines.close();
      rmSync(modules, { recursive: true, force: true });
    },
  };
}
