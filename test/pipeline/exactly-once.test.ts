import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
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
import { SinkProcess, sleep } from './sink-process.ts';

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
          sink: { maxRecords: Math.max(1000, EVENTS / 20), maxAgeMs: 200, pollMs: 50, compactEvery: 4, leaseMs: 3000 },
        });
        node = await openTestPlatform(store, { pipeline });
        session = await DuckDbSession.open({ memoryLimit: '256MB', threads: 1 });
      });
      after(async () => {
        session?.close();
        await node?.close();
      });

      test(`${EVENTS} events, ${KILLS}+ kills${logKind === 'kafka' ? ', one broker restart' : ''}`, { timeout: Math.max(1_200_000, EVENTS * 3) }, async () => {
        const started = Date.now();
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

        // Sinks run as `quarry pipeline sink` processes, each SIGKILLed at a random point within
        // 1.5 s of its first commit (mid-batch, mid-commit or idle), or after 20 s without one (the
        // broker is down). The sender keeps pace with the kills, so every sink has work when it
        // is killed and the kills are spread over the whole run, however slow the machine.
        let kills = 0;
        let sending = true;
        let sink: SinkProcess | undefined;
        let killerFailed: unknown;
        const killer = (async () => {
          while (sending || kills < KILLS) {
            sink = await SinkProcess.start(node.config, pipeline);
            await Promise.race([sink.commitsReach(1), sleep(20_000)]);
            await sleep(Math.random() * 1500);
            await sink.kill();
            kills++;
          }
        })().catch((error: unknown) => {
          killerFailed = error;
        });

        let refused = 0;
        let restart: Promise<void> | undefined;
        try {
          for (const [n, batch] of batches.entries()) {
            for (const deadline = Date.now() + 300_000; kills < Math.floor((n * KILLS) / batches.length); ) {
              if (killerFailed) throw killerFailed;
              if (Date.now() > deadline) assert.fail(`waited 5 min for sink kill ${Math.floor((n * KILLS) / batches.length)} before batch ${n}; ${kills} kills so far`);
              await sleep(100);
            }
            if (logKind === 'kafka' && !restart && n === Math.floor(batches.length / 2)) {
              // Down before the next batch, so the collector must refuse at least that one; back 3 s later.
              await stopBroker();
              restart = sleep(3000).then(startBroker);
            }
            for (const deadline = Date.now() + 300_000; ; ) {
              const answer = await send(node.app, 'clicks', batch, { 'content-type': 'application/x-ndjson', 'idempotency-key': `batch-${n}` });
              if (answer.status === 200) break;
              assert.equal(answer.status, 503, JSON.stringify(answer.body));
              assert.ok(answer.headers['retry-after']);
              refused++;
              if (Date.now() > deadline) assert.fail(`batch ${n} was refused for 5 min (last answer: ${JSON.stringify(answer.body)})`);
              await sleep(250);
            }
          }
        } finally {
          sending = false;
          await killer;
          await restart;
        }
        if (killerFailed) throw killerFailed;
        assert.ok(kills >= KILLS, `${kills} kills`);
        if (logKind === 'kafka') assert.ok(refused > 0, 'the collector refused batches while the broker was down');

        const last = await SinkProcess.start(node.config, pipeline);
        try {
          let seen: unknown;
          for (const deadline = Date.now() + 300_000; ; ) {
            const answer = await node.app.inject({ method: 'GET', url: '/api/pipeline/v1/streams/clicks' });
            seen = answer.statusCode === 200 ? answer.json() : answer.body;
            const status = answer.statusCode === 200 ? (answer.json() as { committed: number; deadLettersCommitted: number }) : undefined;
            if (status && status.committed >= validCount && status.deadLettersCommitted >= malformed.size) break;
            if (Date.now() > deadline) assert.fail(`waited 5 min for the last sink to commit ${validCount} events and ${malformed.size} dead letters; last status: ${JSON.stringify(seen)}; sink stderr: ${last.stderr}`);
            await sleep(500);
          }
        } finally {
          await last.kill();
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
        process.stderr.write(`exactly-once ${logKind}/${store}: ${EVENTS} events, ${kills} kills, ${refused} refused batches retried, ${table.history().length} snapshots; table count ${sums.n}, sum(id) ${sums.total}, distinct ids ${sums.distinct_ids}; ${raws.length} dead letters; ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
      });
    });
  }
}

function brokerScript(): { dir: string; script: string; run: (args: string[]) => Promise<unknown> } {
  const dir = process.env.QUARRY_TEST_KAFKA_DIR;
  if (!dir) throw new Error('QUARRY_TEST_KAFKA_DIR is not set: run the tests with npm test');
  const run = promisify(execFile);
  const script = path.join(ROOT, 'scripts/services/kafka.sh');
  return { dir, script, run: (args) => run('bash', [script, ...args]) };
}

/** Stops the test broker (scripts/services/kafka.sh); its data stays. */
async function stopBroker(): Promise<void> {
  const { dir, run } = brokerScript();
  await run(['stop', dir]);
}

/** Starts the test broker again on the same ports and data (kafka.sh start waits until it serves). */
async function startBroker(): Promise<void> {
  const { dir, run } = brokerScript();
  const port = brokers().split(':')[1];
  const controllerPort = readFileSync(path.join(dir, 'controller-port'), 'utf8').trim();
  await run(['start', dir, port, controllerPort]);
}
