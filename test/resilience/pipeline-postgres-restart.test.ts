import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.ts';
import { openPlatform, type Platform } from '../../src/http/platform.ts';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../support/fault-cluster.ts';
import { testConfig } from '../support/test-config.ts';
import { CLICKS, send, testPipelineConfig } from '../pipeline/pipeline-support.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Batches per sender; each is BATCH events with ids of their own. */
const BATCHES = 60;
const BATCH = 20;
const RESTARTS = 3;

/**
 * The event pipeline with the embedded log on PostgreSQL, and PostgreSQL crashed (`pg_ctl stop -m
 * immediate`) and restarted while batches are appended and the sink commits. The accounting: every
 * event of a batch answered 200 ends in the table exactly once; an event of a batch answered 503
 * without an Idempotency-Key is not in it (the answer must be the truth); a batch retried with its
 * Idempotency-Key until answered 200 is in it exactly once.
 */
describe('resilience: pipeline with the embedded log, PostgreSQL crashed mid-append', { timeout: 900_000 }, () => {
  let postgres: PrivatePostgres;
  let platform: Platform;
  let app: FastifyInstance;
  let home: string;
  let session: DuckDbSession;
  before(async () => {
    postgres = await startPrivatePostgres();
    home = mkdtempSync(path.join(os.tmpdir(), 'quarry-pipeline-fault-'));
    const pipeline = testPipelineConfig({ log: 'embedded', sink: { enabled: true, maxRecords: 500, maxAgeMs: 200, pollMs: 50, compactEvery: 0, leaseMs: 3000 } });
    platform = await openPlatform(testConfig(home, { kind: 'postgres', url: postgres.url, statementTimeoutMs: 3000 }, { pipeline }));
    app = await buildApp(platform, { logger: false });
    session = await DuckDbSession.open({ memoryLimit: '256MB', threads: 1 });
  });
  after(async () => {
    session?.close();
    await app?.close();
    await platform?.close();
    postgres?.destroy();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it(`${2 * BATCHES} batches of ${BATCH} from two senders (one with Idempotency-Key), ${RESTARTS} crashes: 200 means exactly once, 503 means not at all`, async () => {
    let put: { statusCode: number; body: string } | undefined;
    for (let i = 0; i < 50 && put?.statusCode !== 201; i++) put = await app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/clicks', payload: CLICKS });
    assert.equal(put?.statusCode, 201, put?.body);
    const base = Date.parse('2026-03-01T00:00:00Z');
    const batch = (first: number) =>
      Array.from({ length: BATCH }, (_, i) => JSON.stringify({ id: first + i, user: `u${(first + i) % 7}`, ts: new Date(base + (first + i) * 1000).toISOString() })).join('\n');
    const accepted = new Set<number>();
    const refused = new Set<number>();
    const problems: string[] = [];
    let keyedRetries = 0;
    let sending = true;
    const plain = (async () => {
      for (let n = 0; n < BATCHES; n++) {
        const first = n * BATCH;
        const answer = await send(app, 'clicks', batch(first), { 'content-type': 'application/x-ndjson' });
        const ids = Array.from({ length: BATCH }, (_, i) => first + i);
        if (answer.status === 200) ids.forEach((id) => accepted.add(id));
        else if (answer.status === 503 && answer.headers['retry-after']) ids.forEach((id) => refused.add(id));
        else problems.push(`plain batch ${n}: ${answer.status} ${JSON.stringify(answer.body)}`);
        await sleep(50);
      }
    })();
    const keyed = (async () => {
      for (let n = 0; n < BATCHES; n++) {
        const first = 1_000_000 + n * BATCH;
        for (let attempt = 0; ; attempt++) {
          const answer = await send(app, 'clicks', batch(first), { 'content-type': 'application/x-ndjson', 'idempotency-key': `keyed-${n}` });
          if (answer.status === 200) {
            for (let i = 0; i < BATCH; i++) accepted.add(first + i);
            break;
          }
          if (answer.status !== 503 && answer.status !== 409) problems.push(`keyed batch ${n}: ${answer.status} ${JSON.stringify(answer.body)}`);
          if (attempt > 1200) throw new Error(`keyed batch ${n} never answered 200; last ${answer.status} ${JSON.stringify(answer.body)}`);
          keyedRetries++;
          await sleep(250);
        }
        await sleep(50);
      }
    })();
    const crashes = (async () => {
      for (let i = 0; i < RESTARTS && sending; i++) {
        await sleep(1500 + Math.random() * 1500);
        postgres.stop('immediate');
        await sleep(1000 + Math.random() * 1000);
        postgres.start();
      }
    })();
    try {
      await Promise.all([plain, keyed]);
    } finally {
      sending = false;
      await crashes;
    }
    assert.deepEqual(problems, [], 'every answer was 200, or 503 with Retry-After (409 for a keyed retry meanwhile)');

    // The sink catches up: the table holds at least every accepted event (committed counts them).
    let status: { committed?: number } = {};
    for (const deadline = Date.now() + 300_000; (status.committed ?? 0) < accepted.size; ) {
      const answer = await app.inject({ method: 'GET', url: '/api/pipeline/v1/streams/clicks' });
      if (answer.statusCode === 200) status = answer.json() as { committed: number };
      if (Date.now() > deadline) assert.fail(`waited 5 min for the sink to commit ${accepted.size} events; last status ${JSON.stringify(status)}`);
      await sleep(500);
    }
    const table = await platform.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'clicks' });
    const rows = await session.jsonRows(`SELECT id, count(*) AS n FROM (${await new TableData(session).scanSql(table, table.newScan())}) GROUP BY id`);
    const inTable = new Map(rows.map((r) => [Number(r.id), Number(r.n)]));
    const duplicated = [...inTable].filter(([, n]) => n > 1).map(([id]) => id);
    const missing = [...accepted].filter((id) => !inTable.has(id));
    const refusedButStored = [...refused].filter((id) => inTable.has(id));
    const accounting = {
      scenario: `pipeline, embedded log on PostgreSQL, ${RESTARTS} immediate stops`,
      batches: 2 * BATCHES,
      eventsAccepted: accepted.size,
      eventsRefused503: refused.size,
      keyedRetries,
      inTable: [...inTable.values()].reduce((a, b) => a + b, 0),
      missing: missing.length,
      duplicated: duplicated.length,
      refusedButStored: refusedButStored.length,
    };
    console.log(`RESILIENCE ${JSON.stringify(accounting)}`);
    assert.equal(missing.length, 0, `accepted events missing from the table: ${missing.slice(0, 10).join(', ')}`);
    assert.equal(duplicated.length, 0, `events in the table more than once: ${duplicated.slice(0, 10).join(', ')}`);
    assert.equal(refusedButStored.length, 0, `events answered 503 that are in the table anyway: ${refusedButStored.slice(0, 10).join(', ')}`);
  });
});
