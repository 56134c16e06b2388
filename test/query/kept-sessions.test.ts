import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { QueryEngine, type RunningQuery } from '../../src/query/query-engine.ts';
import { readableArea } from '../../src/query/readable-area.ts';
import { SessionPool } from '../../src/query/session-pool.ts';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { localFileOf } from '../../src/table/object-location.ts';
import { STORES } from '../support/stores.ts';
import { EVENTS_TABLE, openTestWarehouse, type TestWarehouse } from '../table/warehouse-support.ts';

/** Runs a query to the end and returns its rows and the running query (closed). */
async function runAll(engine: QueryEngine, sql: string): Promise<{ rows: unknown[][]; query: RunningQuery }> {
  const query = await engine.start(sql);
  try {
    return { rows: await readAll(query), query };
  } finally {
    query.close();
  }
}

async function readAll(query: RunningQuery): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  for await (const chunk of query.rows()) rows.push(...chunk);
  return rows;
}

for (const store of STORES) {
  describe(`query engine keeping DuckDBs for the next query (${store})`, () => {
    let t: TestWarehouse;
    let engine: QueryEngine;
    let firstSnapshot: bigint;

    before(async () => {
      t = await openTestWarehouse(store);
      engine = new QueryEngine(t.warehouse, { memoryLimit: '256MB', spillDirectory: path.join(t.dir, 'spill'), catalogNames: ['warehouse'], warm: true, keepSessions: 2 });
      const table = await t.warehouse.createTable({ namespace: ['web'], name: 'events' }, EVENTS_TABLE);
      for (let day = 1; day <= 10; day++) {
        const rows = Array.from({ length: 20 }, (_, i) => ({ id: day * 100 + i, ts: `2024-03-${String(day).padStart(2, '0')}T12:00:00Z`, kind: i % 2 ? 'view' : 'click', value: i }));
        const result = await t.data.appendRows(table, rows);
        if (day === 1) firstSnapshot = result.snapshot.snapshotId;
      }
      const other = await t.warehouse.createTable({ namespace: ['web'], name: 'other' }, EVENTS_TABLE);
      await t.data.appendRows(other, [{ id: 1, ts: '2024-03-01T12:00:00Z', kind: 'view', value: 7 }]);
    });
    after(async () => {
      engine.close();
      await t.close();
    });

    const idle = () => engine.idleSessions();

    test('a kept DuckDB answers the next query over the same table: pruning, new commits and time travel stay right', async () => {
      const pruned = "SELECT count(*), sum(value) FROM web.events WHERE ts >= TIMESTAMP '2024-03-04 00:00:00' AND ts < '2024-03-05 00:00:00'";
      const first = await runAll(engine, pruned);
      assert.deepEqual(first.rows, [[20, 190]]);
      assert.equal(await idle(), 1);

      // The same table again: the kept DuckDB serves it (taken out of the pool while it runs).
      const second = await engine.start(pruned);
      try {
        assert.equal(await idle(), 0, 'the kept DuckDB was taken for the query over the same table');
        assert.deepEqual(await readAll(second), [[20, 190]]);
        assert.equal(second.stats().dataFiles, 1);
        assert.equal(second.stats().skippedFiles, 9);
      } finally {
        second.close();
      }
      assert.equal(await idle(), 1);

      // A commit adds a file the kept DuckDB never saw; the plan names it and the DuckDB reads it.
      const table = await t.warehouse.loadTable({ namespace: ['web'], name: 'events' });
      await t.data.appendRows(table, [{ id: 9999, ts: '2024-03-04T13:00:00Z', kind: 'view', value: 1000 }]);
      const grown = await runAll(engine, pruned);
      assert.deepEqual(grown.rows, [[21, 1190]]);
      assert.equal(grown.query.stats().dataFiles, 2);
      assert.equal(await idle(), 1);

      // Time travel on the kept DuckDB reads the old snapshot's one file, not what it read last.
      const old = await runAll(engine, `SELECT count(*), min(id), max(id) FROM web.events FOR VERSION AS OF ${firstSnapshot}`);
      assert.deepEqual(old.rows, [[20, 100, 119]]);
      assert.equal(old.query.stats().dataFiles, 1);
      const all = await runAll(engine, 'SELECT count(*) FROM web.events');
      assert.deepEqual(all.rows, [[201]]);
    });

    test('a DuckDB is kept only for the same readable area, and never after a failure or a cancel', async () => {
      engine.close();
      engine = new QueryEngine(t.warehouse, { memoryLimit: '256MB', spillDirectory: path.join(t.dir, 'spill'), catalogNames: ['warehouse'], warm: true, keepSessions: 2 });
      await runAll(engine, 'SELECT count(*) FROM web.events');
      assert.equal(await idle(), 1);
      // Another table is another area: the events DuckDB stays idle and a second one is kept beside it.
      const other = await engine.start('SELECT sum(value) FROM web.other');
      try {
        assert.equal(await idle(), 1, 'the DuckDB restricted to web.events does not serve a query over web.other');
        assert.deepEqual(await readAll(other), [[7]]);
      } finally {
        other.close();
      }
      assert.equal(await idle(), 2);
      // A join of both is a third area; past the capacity of two the oldest kept DuckDB is closed.
      const joined = await runAll(engine, 'SELECT count(*) FROM web.events e JOIN web.other o ON e.id = o.id + 99');
      assert.deepEqual(joined.rows, [[1]]);
      assert.equal(await idle(), 2);

      // Kept now: web.other's and the join's. A query that fails while running, and one cancelled,
      // each take theirs and leave nothing behind to reuse.
      const failing = await engine.start('SELECT CAST(kind AS INTEGER) FROM web.other');
      assert.equal(await idle(), 1, "the failing query took web.other's kept DuckDB");
      await assert.rejects(readAll(failing), /Conversion|convert/i);
      failing.close();
      const cancelled = await engine.start('SELECT count(*) FROM web.events e, web.other o, range(100000000) r');
      assert.equal(await idle(), 0, "the cancelled query took the join's kept DuckDB");
      setTimeout(() => cancelled.cancel(), 100);
      await assert.rejects(readAll(cancelled), /cancelled/);
      cancelled.close();
      assert.equal(await idle(), 0, 'neither the failed nor the cancelled query’s DuckDB was kept');
    });

    test("a kept DuckDB still refuses files outside its query's area", async () => {
      const events = await t.warehouse.loadTable({ namespace: ['web'], name: 'events' });
      const other = await t.warehouse.loadTable({ namespace: ['web'], name: 'other' });
      const otherFile = localFileOf((await other.dataFiles())[0]!.filePath)!;
      const area = readableArea([localFileOf((await events.dataFiles())[0]!.filePath)!], [localFileOf(events.location())!], localFileOf(t.warehouse.root));
      const pool = new SessionPool(1);
      const session = await DuckDbSession.open({ memoryLimit: '64MB', spillDirectory: path.join(t.dir, 'spill') });
      await session.restrictTo(area.paths, area.directories);
      pool.give(SessionPool.keyOf(area), session);
      try {
        assert.equal(pool.take(SessionPool.keyOf({ paths: [], directories: [localFileOf(other.location())!] })), undefined, 'another area gets no kept session');
        const kept = pool.take(SessionPool.keyOf({ paths: [...area.paths], directories: [...area.directories].reverse() }));
        assert.equal(kept, session, 'the same area (in any order) gets the kept session');
        await assert.rejects(kept!.jsonRows(`SELECT count(*) FROM read_parquet('${otherFile}')`), /Permission|not allowed|disabled/i);
        pool.give(SessionPool.keyOf(area), kept!);
      } finally {
        pool.close();
      }
      assert.equal(pool.size(), 0);
    });
  });
}
