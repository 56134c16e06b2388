/**
 * Registry reads and searches with 10,000 clusters and 1,000 commands, on SQLite and PostgreSQL.
 *
 * HTTP scenarios run autocannon (in a worker thread) against a real server listening on loopback,
 * each for BENCH_SECONDS (default 5) with BENCH_CONNECTIONS (default 10) connections, and are
 * reported as requests per second and p99 latency, each also as a ratio to `GET /health` on the
 * same server in the same run (a request that does one `select 1`). Job resolution runs in process
 * and is compared with a raw primary-key select through the same Kysely handle. Tables are
 * analyzed after seeding, as a running system's would be.
 *
 *   npm run bench -- bench/registry.bench.ts
 */
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { RegistryRepository } from '../src/jobs/registry/registry-repository.ts';
import { JobResolver } from '../src/jobs/resolution/job-resolver.ts';
import type { Cluster, Command } from '../src/jobs/resources.ts';
import { openTestPlatform, type TestPlatform } from '../test/support/platform.ts';
import { STORES, type StoreKind } from '../test/support/stores.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const CLUSTERS = 10_000;
const COMMANDS = 1_000;
const ZONES = 100;
const SCHEDULES = 7;
const BATCH = 500;

const pad = (n: number, width = 5) => String(n).padStart(width, '0');

function clusterFixture(i: number, now: number): Cluster {
  return {
    id: `cluster-${pad(i)}`,
    name: `cluster-${pad(i)}`,
    user: 'admin',
    version: `v${i % 3}`,
    status: i % 97 === 0 ? 'OUT_OF_SERVICE' : 'UP',
    tags: [`type:t${i % 10}`, `sched:s${i % SCHEDULES}`, `zone:z${i % ZONES}`],
    configs: [`s3://configs/cluster-${i}/yarn-site.xml`],
    dependencies: [],
    created: now,
    updated: now + i,
  };
}

function commandFixture(j: number, now: number): Command {
  return {
    id: `command-${pad(j, 4)}`,
    name: `command-${pad(j, 4)}`,
    user: 'admin',
    version: '1.0',
    status: 'ACTIVE',
    tags: [`type:cmd-${j % 50}`],
    configs: [],
    dependencies: [],
    executable: ['/usr/bin/spark-submit', '--master', 'yarn'],
    runtime: { resources: {}, images: {} },
    clusterCriteria: [{ tags: [`zone:z${j % ZONES}`, `sched:s${j % SCHEDULES}`] }, { tags: [`zone:z${j % ZONES}`] }],
    applicationIds: [],
    created: now,
    updated: now + j,
  };
}

async function seed(t: TestPlatform): Promise<void> {
  const repository = new RegistryRepository(t.platform.database.db, t.platform.database.adapter);
  const now = Date.now();
  for (let start = 0; start < CLUSTERS; start += BATCH) {
    await repository.transaction(async (tx) => {
      for (let i = start; i < Math.min(start + BATCH, CLUSTERS); i++) await tx.insert('cluster', clusterFixture(i, now));
    });
  }
  for (let start = 0; start < COMMANDS; start += BATCH) {
    await repository.transaction(async (tx) => {
      for (let j = start; j < Math.min(start + BATCH, COMMANDS); j++) await tx.insert('command', commandFixture(j, now));
    });
  }
}

interface Figure {
  scenario: string;
  perSecond: number;
  p99: number;
}

async function cannon(url: string, scenario: string, paths: string[]): Promise<Figure> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, workers: 1, requests: paths.map((path) => ({ method: 'GET', path })) });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${scenario}: ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  return { scenario, perSecond: result.requests.total / SECONDS, p99: result.latency.p99 };
}

/** Runs `operation` back to back for the bench duration; ops/s and p99 in milliseconds. */
async function loop(scenario: string, operation: (i: number) => Promise<unknown>): Promise<Figure> {
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const started = performance.now();
    await operation(i);
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  return { scenario, perSecond: latencies.length / SECONDS, p99: latencies[Math.floor(latencies.length * 0.99)]! };
}

async function benchStore(store: StoreKind): Promise<Figure[]> {
  const t = await openTestPlatform(store, { logLevel: 'silent' });
  try {
    const seedStart = performance.now();
    await seed(t);
    // Planner statistics as a running system has them (PostgreSQL's autovacuum analyzes a table
    // after bulk changes); without them both planners mis-order the tag joins of criterion queries.
    await sql`analyze`.execute(t.platform.database.db);
    process.stderr.write(`${store}: seeded ${CLUSTERS} clusters and ${COMMANDS} commands in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const spread = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i));

    const figures: Figure[] = [];
    figures.push(await cannon(url, 'baseline: GET /health', ['/health']));
    figures.push(await cannon(url, 'GET /clusters/{id}', spread(50, (i) => `/api/v3/clusters/cluster-${pad((i * 197) % CLUSTERS)}`)));
    figures.push(await cannon(url, 'search name=cluster-0123% (10 hits)', spread(20, (i) => `/api/v3/clusters?name=cluster-${pad(i * 13 % 1000, 4)}%25`)));
    figures.push(await cannon(url, 'search two tags (≈14 hits)', spread(20, (i) => `/api/v3/clusters?tag=zone:z${i}&tag=sched:s${i % SCHEDULES}`)));
    figures.push(await cannon(url, 'GET /commands/{id}/clusters (100 hits)', spread(20, (j) => `/api/v3/commands/command-${pad(j * 37 % COMMANDS, 4)}/clusters`)));

    const { db } = t.platform.database;
    const resolver = new JobResolver({ registry: t.platform.registry });
    figures.push(await loop('baseline: primary-key select (in process)', (i) => db.selectFrom('registry_cluster').selectAll().where('id', '=', `cluster-${pad((i * 7919) % CLUSTERS)}`).executeTakeFirst()));
    figures.push(
      await loop('resolution: 20 candidate commands × 2 job criteria (in process)', (i) =>
        resolver.resolve({
          jobId: `bench-${i}`,
          // The first criterion matches ≈14 clusters for some candidate commands, the second 100 for all.
          clusterCriteria: [{ tags: [`sched:s${i % SCHEDULES}`, `type:t${i % 10}`] }, { tags: [`type:t${i % 10}`] }],
          commandCriterion: { tags: [`type:cmd-${i % 50}`] },
          applicationIds: [],
          request: {},
        }),
      ),
    );
    return figures;
  } finally {
    await t.close();
  }
}

function table(store: StoreKind, figures: Figure[]): string {
  const http = figures.find((f) => f.scenario.startsWith('baseline: GET'))!;
  const inProcess = figures.find((f) => f.scenario.startsWith('baseline: primary'))!;
  const lines = [
    `### ${store}`,
    '',
    '| scenario | per second | p99 ms | throughput vs baseline | p99 vs baseline |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const f of figures) {
    const base = f.scenario.includes('in process') ? inProcess : http;
    lines.push(`| ${f.scenario} | ${f.perSecond.toFixed(0)} | ${f.p99.toFixed(2)} | ${(f.perSecond / base.perSecond).toFixed(2)} | ${(f.p99 / Math.max(base.p99, 0.01)).toFixed(2)} |`);
  }
  return lines.join('\n');
}

const out: string[] = [
  `Registry benchmark, ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version};`,
  `${CLUSTERS} clusters, ${COMMANDS} commands; HTTP: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per scenario, server and load generator on one machine.`,
  '',
];
for (const store of STORES) out.push(table(store, await benchStore(store)), '');
process.stdout.write(`${out.join('\n')}\n`);
