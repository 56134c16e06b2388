import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { PipelineConfig } from '../../src/config/pipeline-config.ts';
import { OFFSETS_KEY, STREAM_KEY, WORKER_KEY } from '../../src/pipeline/committed-offsets.ts';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import type { Table } from '../../src/table/table.ts';
import { ancestorsOf } from '../../src/table/table-metadata.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';
import { CLICKS, send, testPipelineConfig } from './pipeline-support.ts';
import { SinkProcess, sleep } from './sink-process.ts';

const PARTITIONS = 6;
const WAIT_MS = 300_000;

/** Polls `probe` until it answers something other than undefined; fails naming what was awaited and what was last seen. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, seen: () => unknown): Promise<T> {
  for (const deadline = Date.now() + WAIT_MS; ; ) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`waited ${WAIT_MS / 1000} s for ${what}; last seen: ${JSON.stringify(seen())}`);
    await sleep(250);
  }
}

/** Per pipeline commit of the table (oldest first): the worker that made it and the partitions whose offsets it moved. */
function commitsOf(table: Table, stream: string): { worker: string; partitions: number[] }[] {
  const md = table.metadata();
  const out: { worker: string; partitions: number[] }[] = [];
  let previous: Record<string, number> = {};
  for (const snapshot of [...ancestorsOf(md, md.currentSnapshotId)].reverse()) {
    const text = snapshot.summary[OFFSETS_KEY];
    if (text === undefined || snapshot.summary[STREAM_KEY] !== stream) continue;
    const offsets = JSON.parse(text) as Record<string, number>;
    const moved = Object.keys(offsets).filter((p) => offsets[p] !== (previous[p] ?? 0)).map(Number);
    out.push({ worker: snapshot.summary[WORKER_KEY] ?? '?', partitions: moved });
    previous = offsets;
  }
  return out;
}

/**
 * Three `quarry pipeline sink` processes share one stream's six partitions by leases: while all
 * three run, each partition is committed by one worker only and every worker commits; when one is
 * SIGKILLed, the others take its partitions over once its leases expire; in the end the table holds
 * every event exactly once.
 */
for (const store of STORES) {
  describe(`sink workers sharing partitions on ${store}`, () => {
    let node: TestPlatform;
    let pipeline: PipelineConfig;
    let session: DuckDbSession;

    before(async () => {
      pipeline = testPipelineConfig({ sink: { maxRecords: 5000, maxAgeMs: 200, pollMs: 100, compactEvery: 0, leaseMs: 15_000 } });
      node = await openTestPlatform(store, { pipeline });
      session = await DuckDbSession.open({ memoryLimit: '256MB', threads: 1 });
    });
    after(async () => {
      session?.close();
      await node?.close();
    });

    test('three sink processes split the partitions, and take over a killed one\'s', { timeout: 900_000 }, async () => {
      const put = await node.app.inject({ method: 'PUT', url: '/api/pipeline/v1/streams/shared', payload: { ...CLICKS, table: 'web.shared', partitions: PARTITIONS, keyField: 'user' } });
      assert.equal(put.statusCode, 201, put.body);
      const sinks = await Promise.all([0, 1, 2].map((i) => SinkProcess.start(node.config, pipeline, `sink-${i}-${randomBytes(2).toString('hex')}`)));
      let sent = 0;
      let sum = 0;
      const sendRange = async (from: number, to: number) => {
        for (let start = from; start < to; start += 500) {
          const events = [];
          for (let i = start; i < Math.min(to, start + 500); i++) {
            events.push(JSON.stringify({ id: i, user: `u${i % 29}`, ts: '2026-05-01T10:00:00Z' }));
            sent++;
            sum += i;
          }
          const answer = await send(node.app, 'shared', events.join('\n'), { 'content-type': 'application/x-ndjson' });
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
        }
      };
      const table = () => node.platform.icebergCatalog.warehouse.loadTable({ namespace: ['web'], name: 'shared' });
      const status = async () => (await node.app.inject({ method: 'GET', url: '/api/pipeline/v1/streams/shared' })).json() as { committed: number };
      let leases: { partition: number; owner: string }[] = [];
      let last: unknown;
      try {
        // Each of the three holds two partitions once all have seen each other.
        await waitFor(
          'three sink workers holding two partitions each',
          async () => {
            leases = await node.platform.database.db.selectFrom('pipeline_sink_lease').select(['partition', 'owner']).where('stream', '=', 'shared').execute();
            const owners = new Map<string, number>();
            for (const l of leases) owners.set(l.owner, (owners.get(l.owner) ?? 0) + 1);
            return leases.length === PARTITIONS && owners.size === 3 && [...owners.values()].every((n) => n === 2) ? true : undefined;
          },
          () => leases,
        );
        await sendRange(0, 6000);
        await waitFor('the first 6000 events committed', async () => ((last = await status()), (last as { committed: number }).committed >= sent ? true : undefined), () => last);

        const steady = commitsOf(await table(), 'shared');
        const committers = new Map<number, Set<string>>();
        for (const c of steady) for (const p of c.partitions) committers.set(p, (committers.get(p) ?? new Set()).add(c.worker));
        assert.equal(committers.size, PARTITIONS, `every partition was committed: ${JSON.stringify(steady)}`);
        for (const [p, workers] of committers) assert.equal(workers.size, 1, `partition ${p} committed by one worker only, not ${[...workers].join(', ')}`);
        assert.equal(new Set(steady.map((c) => c.worker)).size, 3, `all three workers committed: ${JSON.stringify(steady)}`);
        const killedWorker = leases.find((l) => l.partition === 0)!.owner;

        // The worker holding partition 0 dies; the other two take its partitions once its lease expires.
        const victim = sinks.find((s) => s.workerId === killedWorker);
        assert.ok(victim, `partition 0's holder ${killedWorker} is one of the sink processes (${sinks.map((s) => s.workerId).join(', ')})`);
        await victim.kill();
        await sendRange(6000, 12_000);
        await waitFor('all 12000 events committed after the kill', async () => ((last = await status()), (last as { committed: number }).committed >= sent ? true : undefined), () => last);
        const afterKill = commitsOf(await table(), 'shared');
        const tookOver = afterKill.filter((c) => c.partitions.includes(0)).at(-1)!;
        assert.notEqual(tookOver.worker, killedWorker, 'another worker committed partition 0 after its holder was killed');
      } finally {
        await Promise.all(sinks.map((s) => s.kill()));
      }
      const data = new TableData(session);
      const current = await table();
      const [sums] = await session.jsonRows(`SELECT count(*) AS n, sum(id) AS total, count(DISTINCT id) AS distinct_ids FROM (${await data.scanSql(current, current.newScan())})`);
      assert.deepEqual({ n: Number(sums.n), total: Number(sums.total), distinct: Number(sums.distinct_ids) }, { n: sent, total: sum, distinct: sent });
    });
  });
}
