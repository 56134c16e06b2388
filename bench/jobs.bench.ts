// Jobs benchmark, on SQLite and PostgreSQL, one server node with its agent on this machine:
//  1. submit-to-RUNNING latency (p50, p99) of trivial jobs (`bash -c true`), taken from the server's
//     own timestamps (created → started), with the long-lived per-host agent (`quarry agent`);
//  2. the same with one agent process per job (Genie's model: the server launches an agent for each
//     job), to choose between the two designs;
//  3. sustained submissions per second (8 concurrent clients) and jobs completed per second.
// Baselines measured in the same run: spawning `bash -c true` directly (the floor of starting any job
// process) for latency, and GET /api/v3/jobs/{id}/status requests per second for throughput.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bashFixture, bashJob } from '../test/support/jobs-harness.ts';
import { openTestPlatform, type TestPlatform } from '../test/support/platform.ts';
import { fetchSender, putRegistry } from '../test/support/registry-fixture.ts';
import { STORES, type StoreKind } from '../test/support/stores.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/quarry.js');
const LATENCY_JOBS = Number(process.env.BENCH_LATENCY_JOBS ?? 100);
const PER_JOB_AGENT_JOBS = Number(process.env.BENCH_PER_JOB_AGENT_JOBS ?? 10);
const THROUGHPUT_JOBS = Number(process.env.BENCH_THROUGHPUT_JOBS ?? 300);
const CLIENTS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function spawnBaseline(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn('bash', ['-c', 'true'], { detached: true, stdio: 'ignore' });
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    out.push(performance.now() - t0);
  }
  return out;
}

async function submit(url: string, args = '-c true'): Promise<string> {
  const response = await fetch(`${url}/api/v3/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bashJob(args)) });
  if (response.status !== 202) throw new Error(`submit: ${response.status} ${await response.text()}`);
  return response.headers.get('location')!.split('/').pop()!;
}

async function waitStatus(url: string, id: string, done: (status: string) => boolean): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    const { status } = (await (await fetch(`${url}/api/v3/jobs/${id}/status`)).json()) as { status: string };
    if (done(status)) return;
    await sleep(2);
  }
  throw new Error(`job ${id} never got there`);
}

async function serverLatency(t: TestPlatform, id: string): Promise<number> {
  const job = await t.platform.jobs.store.get(id);
  if (!job?.started) throw new Error(`job ${id} has no start time`);
  return job.started - job.created;
}

async function runStore(store: StoreKind) {
  const t = await openTestPlatform(store, { logLevel: 'silent' });
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  await putRegistry(fetchSender(url), bashFixture());
  const rows: string[][] = [];
  try {
    const spawnMs = await spawnBaseline(LATENCY_JOBS);

    // 2. One agent process per job: no long-lived agent runs; each job gets `quarry agent --job-id`.
    const perJob: number[] = [];
    for (let i = 0; i < PER_JOB_AGENT_JOBS; i++) {
      const id = await submit(url);
      const child = spawn(process.execPath, [QUARRY, 'agent', '--server', url, '--job-id', id, '--jobs-dir', t.config.jobs.directoryRoot, '--cache-dir', t.config.jobs.cacheDirectory], {
        stdio: 'ignore',
        env: { ...process.env, QUARRY_HOME: t.config.home },
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await waitStatus(url, id, (s) => s === 'RUNNING' || s === 'SUCCEEDED' || s === 'FAILED');
      perJob.push(await serverLatency(t, id));
      await exited;
    }

    // 1. The long-lived agent, as its own process (`quarry agent`), as it runs in production.
    const agent = spawn(process.execPath, [QUARRY, 'agent', '--server', url, '--jobs-dir', t.config.jobs.directoryRoot, '--cache-dir', t.config.jobs.cacheDirectory], {
      stdio: 'ignore',
      env: { ...process.env, QUARRY_HOME: t.config.home },
    });
    const agentExited = new Promise((resolve) => agent.once('exit', resolve));
    // Warm-up: the agent process starts, registers and runs one job before anything is measured.
    await waitStatus(url, await submit(url), (s) => s === 'SUCCEEDED');
    const longLived: number[] = [];
    for (let i = 0; i < LATENCY_JOBS; i++) {
      const id = await submit(url);
      await waitStatus(url, id, (s) => s !== 'ACCEPTED' && s !== 'CLAIMED' && s !== 'INIT' && s !== 'RESERVED' && s !== 'RESOLVED');
      longLived.push(await serverLatency(t, id));
    }

    // 3. Throughput: CLIENTS concurrent submitters; then wait for every job to finish.
    const statusId = await submit(url);
    let t0 = performance.now();
    let reads = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (performance.now() - t0 < 3000) {
          await (await fetch(`${url}/api/v3/jobs/${statusId}/status`)).arrayBuffer();
          reads++;
        }
      }),
    );
    const readsPerS = reads / ((performance.now() - t0) / 1000);
    const ids: string[] = [];
    t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < THROUGHPUT_JOBS) {
          next++;
          ids.push(await submit(url));
        }
      }),
    );
    const submitS = (performance.now() - t0) / 1000;
    for (const id of ids) await waitStatus(url, id, (s) => ['SUCCEEDED', 'FAILED', 'KILLED'].includes(s));
    const completeS = (performance.now() - t0) / 1000;
    agent.kill('SIGTERM');
    await agentExited;

    const p50 = percentile(longLived, 50);
    const p99 = percentile(longLived, 99);
    const s50 = percentile(spawnMs, 50);
    const s99 = percentile(spawnMs, 99);
    rows.push(
      [`submit→RUNNING p50, long-lived agent (${LATENCY_JOBS} jobs)`, fmt(p50), `spawn bash p50: ${fmt(s50)}`, `${(p50 / s50).toFixed(1)}×`],
      [`submit→RUNNING p99, long-lived agent`, fmt(p99), `spawn bash p99: ${fmt(s99)}`, `${(p99 / s99).toFixed(1)}×`],
      [`submit→RUNNING p50, one agent process per job (${PER_JOB_AGENT_JOBS} jobs)`, fmt(percentile(perJob, 50)), `long-lived agent p50: ${fmt(p50)}`, `${(percentile(perJob, 50) / p50).toFixed(1)}×`],
      [`submit→RUNNING max, one agent process per job`, fmt(Math.max(...perJob)), `long-lived agent p99: ${fmt(p99)}`, `${(Math.max(...perJob) / p99).toFixed(1)}×`],
      [`submissions/s (${THROUGHPUT_JOBS} jobs, ${CLIENTS} clients)`, (THROUGHPUT_JOBS / submitS).toFixed(0), `status reads/s: ${readsPerS.toFixed(0)}`, `${(THROUGHPUT_JOBS / submitS / readsPerS).toFixed(3)}×`],
      [`jobs completed/s (submit → SUCCEEDED, same ${THROUGHPUT_JOBS})`, (THROUGHPUT_JOBS / completeS).toFixed(0), `submissions/s: ${(THROUGHPUT_JOBS / submitS).toFixed(0)}`, `${(submitS / completeS).toFixed(2)}×`],
    );
  } finally {
    t.app.server.closeAllConnections();
    await t.close();
  }
  return rows;
}

for (const store of STORES) {
  const rows = await runStore(store);
  console.log(`\n### ${store}\n\n| measure | value | baseline (same run) | ratio |\n|---|---|---|---|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}
