import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { QueryEngine, type RunningQuery } from '../../src/query/query-engine.ts';
import { STORES } from '../support/stores.ts';
import { EVENTS_TABLE, openTestWarehouse, type TestWarehouse } from '../table/warehouse-support.ts';

/** Runs a query to the end and returns its columns, rows and the running query (closed). */
export async function runAll(engine: QueryEngine, sql: string): Promise<{ columns: { name: string; type: string }[]; rows: unknown[][]; query: RunningQuery }> {
  const query = await engine.start(sql);
  try {
    const columns = await query.columns();
    const rows: unknown[][] = [];
    for await (const chunk of query.rows()) rows.push(...chunk);
    return { columns, rows, query };
  } finally {
    query.close();
  }
}

for (const store of STORES) {
  describe(`query engine (${store})`, () => {
    let t: TestWarehouse;
    let engine: QueryEngine;
    let firstSnapshot: bigint;

    before(async () => {
      t = await openTestWarehouse(store);
      engine = new QueryEngine(t.warehouse, { memoryLimit: '256MB', spillDirectory: path.join(t.dir, 'spill'), catalogNames: ['warehouse', 'quarry'] });
      const table = await t.warehouse.createTable({ namespace: ['web'], name: 'events' }, EVENTS_TABLE);
      // Ten days, one append each: ten data files, one per day partition.
      for (let day = 1; day <= 10; day++) {
        const rows = Array.from({ length: 20 }, (_, i) => ({ id: day * 100 + i, ts: `2024-03-${String(day).padStart(2, '0')}T12:00:00Z`, kind: i % 2 ? 'view' : 'click', value: i }));
        const result = await t.data.appendRows(table, rows);
        if (day === 1) firstSnapshot = result.snapshot.snapshotId;
      }
    });
    after(() => t.close());

    test('a full aggregate reads every file and agrees with the rows written', async () => {
      const { rows, query } = await runAll(engine, 'SELECT count(*) AS n, sum(value) AS s FROM web.events');
      assert.deepEqual(rows, [[200, 1900]]);
      assert.equal(query.stats().dataFiles, 10);
      assert.equal(query.stats().skippedFiles, 0);
    });

    test('a predicate on the partition source column prunes to the matching day', async () => {
      const { rows, query } = await runAll(engine, "SELECT count(*) FROM web.events WHERE ts >= TIMESTAMP '2024-03-04 00:00:00' AND ts < '2024-03-05 00:00:00'");
      assert.deepEqual(rows, [[20]]);
      assert.equal(query.stats().dataFiles, 1);
      assert.equal(query.stats().skippedFiles, 9);
      assert.ok(query.stats().bytesRead > 0);
    });

    test('min/max statistics prune by a non-partition column', async () => {
      const { rows, query } = await runAll(engine, 'SELECT id FROM warehouse.web.events WHERE id BETWEEN 305 AND 307 ORDER BY id');
      assert.deepEqual(rows, [[305], [306], [307]]);
      assert.equal(query.stats().dataFiles, 1);
    });

    test('a predicate DuckDB must evaluate is still applied to rows (pushdown only prunes)', async () => {
      const { rows } = await runAll(engine, "SELECT count(*) FROM web.events e WHERE e.kind = 'click' AND e.id % 3 = 0 AND e.id IN (100, 102, 103, 900)");
      assert.deepEqual(rows, [[2]]);
    });

    test('joins, CTEs and self-joins plan each reference with its own predicates', async () => {
      const { rows, query } = await runAll(
        engine,
        'WITH a AS (SELECT id FROM web.events WHERE id < 110) SELECT count(*) FROM a JOIN web.events b ON a.id = b.id - 100 WHERE b.id >= 200 AND b.id < 210',
      );
      assert.deepEqual(rows, [[10]]);
      assert.deepEqual(query.tables.map((x) => x.dataFiles), [1, 1]);
    });

    test('time travel by snapshot id and by timestamp reads the old rows', async () => {
      const byVersion = await runAll(engine, `SELECT count(*) FROM web.events FOR VERSION AS OF ${firstSnapshot}`);
      assert.deepEqual(byVersion.rows, [[20]]);
      const native = await runAll(engine, `SELECT count(*) FROM web.events e AT (VERSION => ${firstSnapshot})`);
      assert.deepEqual(native.rows, [[20]]);
      const table = await t.warehouse.loadTable({ namespace: ['web'], name: 'events' });
      const third = table.history()[2]!;
      const at = new Date(third.timestampMs).toISOString().replace('T', ' ').replace('Z', '+00:00');
      const byTime = await runAll(engine, `SELECT count(*) AS n FROM web.events FOR TIMESTAMP AS OF '${at}' AS e WHERE e.id > 0`);
      assert.deepEqual(byTime.rows, [[60]]);
      await assert.rejects(engine.start('SELECT * FROM web.events FOR VERSION AS OF 42'), /no snapshot 42/);
    });

    test('columns carry names and DuckDB types', async () => {
      const { columns } = await runAll(engine, 'SELECT id, ts, kind FROM web.events LIMIT 1');
      assert.deepEqual(columns, [
        { name: 'id', type: 'BIGINT' },
        { name: 'ts', type: 'TIMESTAMP WITH TIME ZONE' },
        { name: 'kind', type: 'VARCHAR' },
      ]);
    });

    test('writes, settings, file reads and unknown tables are refused with a message naming the problem', async () => {
      await assert.rejects(engine.start('DELETE FROM web.events'), /Only read-only queries/);
      await assert.rejects(engine.start("COPY (SELECT 1) TO '/tmp/x.csv'"), /Only read-only queries/);
      await assert.rejects(engine.start('SET enable_external_access = true'), /Only read-only queries/);
      await assert.rejects(engine.start('SELECT 1; SELECT 2'), /one statement/);
      await assert.rejects(engine.start("SELECT * FROM read_csv('/etc/passwd')"), /read_csv\(\) is not allowed/);
      await assert.rejects(engine.start("SELECT * FROM '/etc/passwd'"), /Unknown table/);
      await assert.rejects(engine.start('SELECT * FROM web.nope'), /web\.nope does not exist/);
      await assert.rejects(engine.start('SELECT * FROM other.web.events'), /Unknown catalog/);
      await assert.rejects(engine.start('SELEC 1'), /syntax error/);
      await assert.rejects(runAll(engine, 'SELECT nope FROM web.events'), /nope/);
    });

    test('scalar functions cannot read files outside the planned ones', async () => {
      const secret = path.join(t.dir, 'secret.txt');
      writeFileSync(secret, 'top secret');
      await assert.rejects(runAll(engine, `SELECT content FROM web.events, (SELECT 1) WHERE id = 100 AND length(getvariable('x')) IS NULL AND '${secret}' IN (SELECT file FROM glob('${secret}'))`), /glob\(\) is not allowed|Permission/);
      await assert.rejects(runAll(engine, `SELECT * FROM range(1) WHERE EXISTS (SELECT * FROM read_text('${secret}'))`), /read_text\(\) is not allowed/);
    });

    test('cancel stops a running query', async () => {
      const query = await engine.start('SELECT count(*) FROM range(10000000000) a');
      setTimeout(() => query.cancel(), 200);
      await assert.rejects(
        (async () => {
          for await (const _ of query.rows()) void _;
        })(),
        /cancelled/,
      );
      query.close();
    });
  });
}
