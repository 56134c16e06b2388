import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { QuarryConfig } from '../../src/config/config.ts';
import type { PipelineConfig } from '../../src/config/pipeline-config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Starting a process that loads the CLI through tsx takes seconds on a loaded machine; this is the limit. */
const START_DEADLINE_MS = 180_000;

/**
 * A `quarry pipeline sink` process on a test node's database and warehouse, for tests that kill
 * sinks: counts the commits it reports on stdout and keeps the tail of its stderr for messages.
 */
export class SinkProcess {
  private commits = 0;
  private readonly waiters: { count: number; resolve: () => void }[] = [];
  private stderrTail = '';
  /** The worker id the process announced (its commits carry it in the snapshot summary). */
  workerId = '';
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    let pending = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (/: committed \d+ events/.test(line)) this.commits++;
      for (const waiter of [...this.waiters]) {
        if (this.commits >= waiter.count) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4000);
    });
  }

  /** Starts a sink with the node's database and warehouse and these pipeline settings; resolves once it says it runs. */
  static async start(config: QuarryConfig, pipeline: PipelineConfig, name = 'sink'): Promise<SinkProcess> {
    const file = path.join(config.home, `${name}-config.json`);
    writeFileSync(file, JSON.stringify({ pipeline: pipelineFile(pipeline) }));
    const database = config.database.kind === 'sqlite' ? `sqlite:${config.database.path}` : config.database.url;
    const env: NodeJS.ProcessEnv = { ...process.env, QUARRY_HOME: config.home, QUARRY_CONFIG: file, QUARRY_DATABASE_URL: database, QUARRY_WAREHOUSE: config.warehouse };
    delete env.QUARRY_PIPELINE_LOG;
    delete env.QUARRY_PIPELINE_KAFKA_BROKERS;
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/quarry.js'), 'pipeline', 'sink'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const sink = new SinkProcess(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`quarry pipeline sink did not say "running" within ${START_DEADLINE_MS / 1000} s; stderr: ${sink.stderrTail}`)), START_DEADLINE_MS);
      child.stdout!.on('data', (chunk: string) => {
        const running = /pipeline sink: running as worker (\S+)/.exec(chunk);
        if (running) {
          sink.workerId = running[1];
          clearTimeout(timer);
          resolve();
        }
      });
      void sink.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`quarry pipeline sink exited (${code}) before it ran; stderr: ${sink.stderrTail}`));
      });
    });
    return sink;
  }

  /** Commits this process reported. */
  get committed(): number {
    return this.commits;
  }

  /** Resolves once the process has reported `count` commits (never, if it does not: race it with a deadline). */
  commitsReach(count: number): Promise<void> {
    if (this.commits >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** SIGKILL, and wait until it is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (a clean stop); answers the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** The configuration file's pipeline section for these settings. */
function pipelineFile(pipeline: PipelineConfig): Record<string, unknown> {
  return {
    log: pipeline.log,
    ...(pipeline.log === 'kafka' ? { kafka: pipeline.kafka } : {}),
    maxLogBytes: pipeline.maxLogBytes,
    sink: { maxRecords: pipeline.sink.maxRecords, maxAgeSeconds: pipeline.sink.maxAgeMs / 1000, compactEvery: pipeline.sink.compactEvery, pollSeconds: pipeline.sink.pollMs / 1000, leaseSeconds: pipeline.sink.leaseMs / 1000 },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
