import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import type { PipelineConfig } from '../../src/config/pipeline-config.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';
import { CLICKS, send, testPipelineConfig } from './pipeline-support.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
/** Events per run; QUARRY_EXACTLY_ONCE_EVENTS=1000000 is the full run (bench/RESULTS.md). */
const EVENTS = Number(process.env.QUARRY_EXACTLY_ONCE_EVENTS ?? 20_000);
const BATCH = 500;
const KILLS = 10;

/**
 * Exactly once under crashes: events (1% malformed) go in through the collector while a sink in
 * its own process is SIGKILLed at random points at least ten times and restarted (and, with Kafka,
 * the broker is restarted once mid-run). In the end the table holds exactly the valid events
 * (count, sum and distinct count of ids) and the dead-letter table exactly the malformed ones.
 */
const LOGS = ['embedded', 'kafka'] as const;

function brokers(): string {
  const value = process.env.QUARRY_TEST_KAFKA_BROKERS;
  if (!value) throw new Error('QUARRY_TEST_KAFKA_BROKERS is not set: run the tests with npm test (scripts/with-services.sh starts the broker)');
  return value;
}

for (const logKind of LOGS) {
  for (const store of STORES) {
    describe(`exactly once with SIGKILLed sinks, ${logKind} log, ${store}`, () => {
      let node: TestPlatform;
      let pipeline: PipelineConfig;
      let session: DuckDbSession;

      before(async () => {
        pipeline = testPipelineConfig({
          log: logKind,
          ...(logKind === 'kafka' ? { kafka: { brokers: [brokers()], topicPrefix: `t${randomBytes(4).toString('hex')}.` } } : {}),
          sink: { maxRecords: Math.max(1000, EVENTS / 20), maxAgeMs: 200, pollMs: 50, compactEvery: 4 },
        });
        node = await openTestPlatform(store, { pipeline });
        session = await DuckDbSession.open({ memoryLimit: '256MB', threads: 1 });
      });
      after(async () => {
        session?.close();
        await node?.close();
      });

      test(`${EVENTS} events, ${KILLS}+ kills${logKind === 'kafka' ? ', one broker restart' : ''}`, { timeout: Math.max(600_000, EVENTS * 3) }, async () => {
        const put = await node.app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/clicks', payload: { ...CLICKS, partitions: 3, keyField: 'user' } });
        assert.equal(put.statusCode, 201, put.body);

        const base = Date.parse('2026-03-01T00:00:00Z');
        let validCount = 0;
        let validSum = 0;
        const malformed = new Set<string>();
        const batches: string[] = [];
        for (let start = 0; start < EVENTS; start += BATCH) {
          const lines: string[] = [];
          for (let i = start; i < Math.min(EVENTS, start + BATCH); i++) {
            // Every 10th event is an hour late; every 100th is malformed (a string id).
            const ts = new Date(base + i * 250 - (i % 10 === 0 ? 3_600_000 : 0)).toISOString();
            if (i % 100 === 0) {
              const raw = JSON.stringify({ id: `bad-${i}`, user: `u${i % 13}`, ts });
              malformed.add(raw);
              lines.push(raw);
            } else {
              validCount++;
              validSum += i;
              lines.push(JSON.stringify({ id: i, user: `u${i % 13}`, ts }));
            }
          }
          batches.push(lines.join('\n'));
        }

        const sinkSettings = JSON.stringify({ database: node.config.database, warehouse: node.config.warehouse, s3: node.config.s3, pipeline: { ...pipeline, sink: { ...pipeline.sink, enabled: true } } });
        let child: ChildProcess | undefined;
        const startSink = async () => {
          const started = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'sink-process.ts')], {
            cwd: ROOT,
            env: { ...process.env, QUARRY_SINK_SETTINGS: sinkSettings },
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          child = started;
          await new Promise<void>((resolve, reject) => {
            started.stdout!.once('data', () => resolve());
            started.once('exit', (code) => reject(new Error(`sink process exited (${code}) before it was ready`)));
          });
        };
        const killSink = async () => {
          const running = child;
          child = undefined;
          if (!running || running.exitCode !== null) return;
          const exited = new Promise((resolve) => running.once('exit', resolve));
          running.kill('SIGKILL');
          await exited;
        };

        let kills = 0;
        let sending = true;
        const killer = (async () => {
          while (sending || kills < KILLS) {
            await startSink();
            await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1500));
            await killSink();
            kills++;
          }
        })();

        let refused = 0;
        let restart: Promise<void> | undefined;
        try {
          for (const [n, batch] of batches.entries()) {
            if (logKind === 'kafka' && !restart && n === Math.floor(batches.length / 2)) restart = restartBroker();
            for (;;) {
              const answer = await send(node.app, 'clicks', batch, { 'content-type': 'application/x-ndjson', 'idempotency-key': `batch-${n}` });
              if (answer.status === 200) break;
              assert.equal(answer.status, 503, JSON.stringify(answer.body));
              assert.ok(answer.headers['retry-after']);
              refused++;
              await new Promise((resolve) => setTimeout(resolve, 250));
            }
          }
        } finally {
          sending = false;
          await killer;
          await restart;
        }
        assert.ok(kills >= KILLS);
        if (logKind === 'kafka') assert.ok(refused > 0, 'the collector refused batches while the broker was down');

        await startSink();
        try {
          for (const deadline = Date.now() + Math.max(300_000, EVENTS * 2); ; ) {
            const status = (await node.app.inject({ method: 'GET', url: '/api/pipeline/v1/streams/clicks' })).json();
            if (status.committed >= validCount && status.deadLettersCommitted >= malformed.size) break;
            if (Date.now() > deadline) assert.fail(`the sink did not commit everything: ${JSON.stringify(status)}`);
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        } finally {
          await killSink();
        }

        const data = new TableData(session);
        const table = await node.platform.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'clicks' });
        const [sums] = await session.jsonRows(`SELECT count(*) AS n, sum(id) AS total, count(DISTINCT id) AS distinct_ids FROM (${await data.scanSql(table, table.newScan())})`);
        assert.deepEqual({ n: Number(sums.n), total: Number(sums.total), distinct: Number(sums.distinct_ids) }, { n: validCount, total: validSum, distinct: validCount });
        const dead = await node.platform.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'clicks_dead_letters' });
        const raws = (await data.readRows(dead)).map((r) => String(r.raw));
        assert.equal(raws.length, malformed.size);
        assert.deepEqual(new Set(raws), malformed);
        const status = (await node.app.inject({ method: 'GET', url: '/api/pipeline/v1/streams/clicks' })).json();
        assert.equal(status.accepted, validCount);
        assert.equal(status.rejected, malformed.size);
        assert.equal(status.committed, validCount);
        process.stderr.write(`exactly-once ${logKind}/${store}: ${EVENTS} events, ${kills} kills, ${refused} refused batches retried, ${table.history().length} snapshots\n`);
      });
    });
  }
}

/** Stops the test broker (scripts/services/kafka.sh), leaves it down a few seconds, starts it on the same ports and data. */
async function restartBroker(): Promise<void> {
  const dir = process.env.QUARRY_TEST_KAFKA_DIR;
  if (!dir) throw new Error('QUARRY_TEST_KAFKA_DIR is not set: run the tests with npm test');
  const port = brokers().split(':')[1];
  const controllerPort = readFileSync(path.join(dir, 'controller-port'), 'utf8').trim();
  const script = path.join(ROOT, 'scripts/services/kafka.sh');
  const run = promisify(execFile);
  await run('bash', [script, 'stop', dir]);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  await run('bash', [script, 'start', dir, port, controllerPort]);
}
