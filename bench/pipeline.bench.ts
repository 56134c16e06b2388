// Event pipeline benchmark, all in one run:
//  1. the floor: the same rows written straight to an hourly-partitioned Iceberg table (TableData.appendRows,
//     in commits of the sink's batch size);
//  2. HTTP → collector → embedded log → sink → committed Parquet: events/s per CPU-second of this process
//     (server and sink run in it) and per wall-second;
//  3. the same through Kafka (QUARRY_TEST_KAFKA_BROKERS, started by scripts/with-services.sh), against
//  4. the broker's own produce rate for the same keyed messages: with the log's producer (our record batch
//     encoder under @platformatic/kafka's transactions), with @platformatic/kafka's own send and with
//     kafkajs (acks=all, idempotent, one transaction per 5,000 messages);
//  5. acceptance → queryable delay (p50/p99) with the sink's default commit age, at a steady send rate.
// BENCH_EVENTS (default 200000) sets the event count of 1–4; BENCH_FRESHNESS=0 leaves out 5;
// BENCH_PROFILE=DIR writes a V8 CPU profile of each of 2–3 (HTTP → committed Parquet only) into DIR.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { compatibilityPartitioner, ProduceAcks, Producer } from '@platformatic/kafka';
import kafkajs from 'kafkajs';
import { buildApp } from '../src/http/app.ts';
import { openPlatform } from '../src/http/platform.ts';
import { committedState } from '../src/pipeline/committed-offsets.ts';
import { DuckDbSession } from '../src/table/duckdb-session.ts';
import { TableData } from '../src/table/table-data.ts';
import { testConfig } from '../test/support/test-config.ts';
import { testPipelineConfig } from '../test/pipeline/pipeline-support.ts';
import type { PipelineConfig } from '../src/config/pipeline-config.ts';
import { TransactionalProducer } from '../src/pipeline/kafka-producer/transactional-producer.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const BATCH = 5000;
const SINK_BATCH = 200_000;
const brokers = process.env.QUARRY_TEST_KAFKA_BROKERS;
const STREAM = { table: 'web.clicks', eventTime: 'ts', fields: [{ name: 'id', type: 'long', required: true }, { name: 'user', type: 'string' }, { name: 'page', type: 'string' }, { name: 'ts', type: 'timestamptz', required: true }], keyField: 'user' };
const base = Date.parse('2026-03-01T00:00:00Z');
const event = (i: number) => ({ id: i, user: `user-${i % 9973}`, page: `/section/${i % 17}/item/${i % 1009}`, ts: new Date(base + i * 50).toISOString() });
const rows = Array.from({ length: EVENTS }, (_, i) => event(i));
const lines = rows.map((r) => JSON.stringify(r));
const batches: string[] = [];
for (let i = 0; i < EVENTS; i += BATCH) batches.push(lines.slice(i, i + BATCH).join('\n'));

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function withNode<T>(pipeline: PipelineConfig, work: (url: string, node: Awaited<ReturnType<typeof openPlatform>>) => Promise<T>): Promise<T> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-bench-pipeline-'));
  const platform = await openPlatform(testConfig(home, { kind: 'sqlite', path: path.join(home, 'quarry.db') }, { pipeline }));
  const app = await buildApp(platform, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  try {
    const put = await fetch(`${url}/api/pipeline/v1/streams/clicks`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(STREAM) });
    if (!put.ok) throw new Error(await put.text());
    return await work(url, platform);
  } finally {
    await app.close();
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  }
}

async function post(url: string, body: string): Promise<void> {
  for (;;) {
    const answer = await fetch(`${url}/api/pipeline/v1/streams/clicks/events`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
    if (answer.status === 200) return;
    if (answer.status !== 503) throw new Error(`collector answered ${answer.status}: ${await answer.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** HTTP → committed Parquet for every event: wall and CPU seconds of this process. */
async function endToEnd(pipeline: PipelineConfig): Promise<{ wall: number; cpu: number }> {
  return withNode(pipeline, async (url, node) => {
    const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    // Two requests in flight, as a couple of producers would send.
    let next = 0;
    await Promise.all([0, 1].map(async () => {
      while (next < batches.length) await post(url, batches[next++]);
    }));
    const table = await node.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'clicks' });
    // Until every event is committed (Kafka's reader fetches in the background: a quiet round proves nothing).
    for (const deadline = Date.now() + 600_000; committedState((await table.refresh()).metadata(), 'clicks').committed < EVENTS; ) {
      if (Date.now() > deadline) throw new Error(`not everything was committed within 10 minutes`);
      if ((await node.pipeline.sink.round(true)).size === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(cpu0);
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(path.join(process.env.BENCH_PROFILE!, `pipeline-${pipeline.log}.cpuprofile`), JSON.stringify(profile));
      profiler.disconnect();
    }
    const committed = committedState(table.metadata(), 'clicks').committed;
    if (committed !== EVENTS) throw new Error(`committed ${committed} of ${EVENTS}`);
    return { wall, cpu };
  });
}

const results: string[] = [];
const progress = (line: string) => process.stderr.write(`pipeline bench: ${line}\n`);
const sinkSettings = { maxRecords: SINK_BATCH };

// 1. The floor: straight table writes.
{
  const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-bench-floor-'));
  const platform = await openPlatform(testConfig(home, { kind: 'sqlite', path: path.join(home, 'quarry.db') }, { pipeline: testPipelineConfig() }));
  const session = await DuckDbSession.open({ threads: 1 });
  try {
    const table = await platform.icebergCatalog.warehouse.createTable({ namespace: ['web'], name: 'floor' }, {
      schema: STREAM.fields,
      partitionBy: [{ column: 'ts', transform: 'hour' }],
    });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < EVENTS; i += SINK_BATCH) await new TableData(session).appendRows(table, rows.slice(i, i + SINK_BATCH));
    const wall = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(cpu0);
    progress(`floor ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU`);
    results.push(`floor|${EVENTS / cpu}|${EVENTS / wall}|${wall}`);
  } finally {
    session.close();
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  }
}
const floorPerCpu = Number(results[0].split('|')[1]);

// 2. Embedded log.
const embedded = await endToEnd(testPipelineConfig({ sink: sinkSettings }));
progress(`embedded ${embedded.wall.toFixed(1)} s wall, ${embedded.cpu.toFixed(1)} s CPU`);
results.push(`embedded|${EVENTS / embedded.cpu}|${EVENTS / embedded.wall}|${embedded.wall}`);

// 3–4. Kafka, and the broker's own produce rate.
const produceRates: Partial<Record<'quarry' | 'platformatic' | 'kafkajs', { wall: number; cpu: number }>> = {};
if (brokers) {
  const prefix = `bench${Date.now()}.`;
  const kafka = await endToEnd(testPipelineConfig({ log: 'kafka', kafka: { brokers: [brokers], topicPrefix: prefix }, sink: sinkSettings }));
  progress(`kafka ${kafka.wall.toFixed(1)} s wall, ${kafka.cpu.toFixed(1)} s CPU`);
  results.push(`kafka|${EVENTS / kafka.cpu}|${EVENTS / kafka.wall}|${kafka.wall}`);
  const client = new kafkajs.Kafka({ clientId: 'bench', brokers: [brokers], logLevel: kafkajs.logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: `${prefix}raw`, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  // The log's records as the collector writes them, keyed by user.
  const values = lines.map((l) => Buffer.from(`{"v":${l}}`));
  const keys = rows.map((r) => Buffer.from(r.user));
  const produced = async (sendAll: () => Promise<void>) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await sendAll();
    return { wall: EVENTS / ((performance.now() - t0) / 1000), cpu: EVENTS / cpuSeconds(cpu0) };
  };
  const records = rows.map((r, i) => ({ key: r.user, value: `{"v":${lines[i]}}` }));
  const quarry = new TransactionalProducer({ brokers: [brokers], clientId: 'bench', transactionalId: `bench-quarry-${Date.now()}`, requestBytes: 512 * 1024, connectTimeoutMs: 3000, timeoutMs: 10_000, retries: 4, retryDelayMs: 400 });
  produceRates.quarry = await produced(async () => {
    for (let i = 0; i < EVENTS; i += BATCH) await quarry.send(`${prefix}raw`, records.slice(i, i + BATCH));
  });
  await quarry.close();
  const platformatic = new Producer({ clientId: 'bench', bootstrapBrokers: [brokers], idempotent: true, acks: ProduceAcks.ALL, partitioner: compatibilityPartitioner });
  produceRates.platformatic = await produced(async () => {
    for (let i = 0; i < EVENTS; i += BATCH) {
      const transaction = await platformatic.beginTransaction();
      const messages = [];
      for (let j = i; j < Math.min(EVENTS, i + BATCH); j++) messages.push({ topic: `${prefix}raw`, key: keys[j], value: values[j] });
      await transaction.send({ messages });
      await transaction.commit();
    }
  });
  await platformatic.close();
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1, transactionalId: `bench-${Date.now()}` });
  await producer.connect();
  produceRates.kafkajs = await produced(async () => {
    for (let i = 0; i < EVENTS; i += BATCH) {
      const transaction = await producer.transaction();
      // In sends of 500: kafkajs groups a send's messages by partition in quadratic time.
      for (let j = i; j < Math.min(EVENTS, i + BATCH); j += 500) {
        await transaction.send({ topic: `${prefix}raw`, acks: -1, messages: values.slice(j, Math.min(EVENTS, i + BATCH, j + 500)).map((value, k) => ({ key: keys[j + k], value })) });
      }
      await transaction.commit();
    }
  });
  await producer.disconnect();
}

// 5. Acceptance → queryable, with the sink running at its defaults (commit at 10 s age).
const delays: number[] = [];
if (process.env.BENCH_FRESHNESS !== '0') await withNode(testPipelineConfig({ sink: { enabled: true } }), async (url, node) => {
  const accepted: { at: number; upTo: number }[] = [];
  let sent = 0;
  const stop = Date.now() + 40_000;
  const watcher = (async () => {
    const table = await node.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'clicks' });
    while (Date.now() < stop + 30_000 && (accepted.length === 0 || delays.length < accepted.length)) {
      await table.refresh();
      const committed = committedState(table.metadata(), 'clicks').committed;
      const now = Date.now();
      while (delays.length < accepted.length && accepted[delays.length].upTo <= committed) delays.push(now - accepted[delays.length].at);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  while (Date.now() < stop) {
    await post(url, lines.slice(sent, sent + 500).join('\n'));
    sent += 500;
    accepted.push({ at: Date.now(), upTo: sent });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await watcher;
});
delays.sort((a, b) => a - b);
const pct = (p: number) => delays[Math.min(delays.length - 1, Math.floor((p / 100) * delays.length))] / 1000;

console.log(`\nEvent pipeline, ${fmt(EVENTS)} events (${Math.round(lines.reduce((n, l) => n + l.length, 0) / EVENTS)} bytes each as JSON), sink batches of ${fmt(SINK_BATCH)}, SQLite, local-folder warehouse\n`);
console.log('| path | events per CPU-second | events per wall-second | wall s | ratio to the floor (per CPU-second) |');
console.log('|---|---|---|---|---|');
for (const line of results) {
  const [name, perCpu, perWall, wall] = line.split('|');
  console.log(`| ${name} | ${fmt(Number(perCpu))} | ${fmt(Number(perWall))} | ${Number(wall).toFixed(1)} | ${(Number(perCpu) / floorPerCpu).toFixed(2)}× |`);
}
for (const [client, rate] of Object.entries(produceRates)) {
  const kafkaRate = Number(results.find((l) => l.startsWith('kafka'))!.split('|')[2]);
  console.log(`| broker produce alone (${client}, acks=all, idempotent, keyed, one transaction per ${BATCH}) | ${fmt(rate.cpu)} | ${fmt(rate.wall)} | — | Kafka path's wall rate / this produce rate: ${(kafkaRate / rate.wall).toFixed(2)}× |`);
}
if (delays.length > 0) console.log(`\nacceptance → queryable over ${delays.length} batches (sink at defaults: commit at 10 s age): p50 ${pct(50).toFixed(1)} s, p99 ${pct(99).toFixed(1)} s`);
