import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { TableData } from '../../src/table/table-data.ts';
import { Warehouse } from '../../src/warehouse/warehouse.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { STORES } from '../support/stores.ts';

for (const store of STORES) {
  describe(`/api/query/v1 (${store})`, () => {
    let t: TestPlatform;
    let base: string;

    before(async () => {
      t = await openTestPlatform(store);
      const warehouse = Warehouse.open({ database: t.platform.database, warehouse: t.config.warehouse, s3: t.config.s3 });
      const table = await warehouse.createTable(
        { namespace: ['shop'], name: 'orders' },
        { schema: [{ name: 'id', type: 'long', required: true }, { name: 'country', type: 'string' }, { name: 'amount', type: 'double' }], partitionBy: [{ column: 'country' }] },
      );
      const session = await DuckDbSession.open();
      try {
        const data = new TableData(session);
        for (const country of ['DE', 'FR', 'NL', 'Ün ,"x"']) {
          await data.appendRows(table, Array.from({ length: 50 }, (_, i) => ({ id: i, country, amount: i / 2 })));
        }
      } finally {
        session.close();
      }
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      const address = t.app.server.address();
      base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    after(() => t.close());

    const post = (body: unknown) => fetch(`${base}/api/query/v1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    test('answers JSON with columns, rows and pruning stats', async () => {
      const res = await post({ sql: "SELECT country, count(*) AS n, sum(amount) AS total FROM shop.orders WHERE country IN ('DE', 'FR') GROUP BY country ORDER BY country" });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { columns: unknown; rows: unknown; stats: { dataFiles: number; skippedFiles: number; bytesRead: number } };
      assert.deepEqual(body.columns, [
        { name: 'country', type: 'VARCHAR' },
        { name: 'n', type: 'BIGINT' },
        { name: 'total', type: 'DOUBLE' },
      ]);
      assert.deepEqual(body.rows, [
        ['DE', 50, 612.5],
        ['FR', 50, 612.5],
      ]);
      assert.equal(body.stats.dataFiles, 2);
      assert.equal(body.stats.skippedFiles, 2);
      assert.ok(body.stats.bytesRead > 0);
    });

    test('streams CSV and NDJSON', async () => {
      const csv = await post({ sql: "SELECT DISTINCT country FROM shop.orders WHERE country > 'M' ORDER BY 1", format: 'csv' });
      assert.equal(csv.status, 200);
      assert.match(String(csv.headers.get('content-type')), /text\/csv/);
      assert.equal(await csv.text(), 'country\nNL\n"Ün ,""x"""\n');
      const nd = await post({ sql: 'SELECT id, amount FROM shop.orders WHERE id < 2 AND country = \'DE\' ORDER BY id', format: 'ndjson' });
      assert.equal((await nd.text()).trim().split('\n').map((l) => JSON.parse(l)).length, 2);
    });

    test('EXPLAIN names, per table, files planned and skipped', async () => {
      const res = await post({ sql: "EXPLAIN SELECT * FROM shop.orders WHERE country = 'NL'" });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { tables: { table: string; dataFiles: number; skippedFiles: number }[]; plan: string };
      assert.deepEqual(
        body.tables.map((x) => [x.table, x.dataFiles, x.skippedFiles]),
        [['shop.orders', 1, 3]],
      );
      assert.match(body.plan, /PARQUET|READ_PARQUET|TABLE_SCAN/i);
    });

    test('bad SQL, writes, unknown tables and outside files are clear 4xx answers', async () => {
      const cases: [unknown, number, RegExp][] = [
        [{ sql: 'SELEC 1' }, 400, /syntax error/],
        [{ sql: 'DROP TABLE shop.orders' }, 400, /Only read-only queries/],
        [{ sql: "SELECT * FROM read_parquet('/etc/*')" }, 400, /not allowed/],
        [{ sql: 'SELECT * FROM shop.missing' }, 404, /shop\.missing does not exist/],
        [{ sql: '' }, 400, /sql/],
        [{ nosql: 1 }, 400, /sql/],
        [{ sql: 'SELECT * FROM range(10)', maxRows: 5 }, 413, /more than 5 rows/],
      ];
      for (const [body, status, message] of cases) {
        const res = await post(body);
        const text = await res.text();
        assert.equal(res.status, status, `${JSON.stringify(body)} → ${text}`);
        assert.match(JSON.parse(text).message, message);
      }
    });

    test('a running query is listed and cancelled by DELETE', async () => {
      const pending = post({ sql: 'SELECT count(*) FROM range(100000000000) a' });
      let running: { id: string }[] = [];
      for (let i = 0; i < 2400 && running.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
        running = (await (await fetch(`${base}/api/query/v1`)).json()) as { id: string }[];
      }
      assert.equal(running.length, 1);
      const del = await fetch(`${base}/api/query/v1/${running[0]!.id}`, { method: 'DELETE' });
      assert.equal(del.status, 200);
      const res = await pending;
      assert.equal(res.status, 412);
      assert.match(((await res.json()) as { message: string }).message, /cancelled/);
      assert.equal((await fetch(`${base}/api/query/v1/${running[0]!.id}`, { method: 'DELETE' })).status, 404);
    });

    test('a client that goes away cancels its query', async () => {
      const abort = new AbortController();
      const pending = fetch(`${base}/api/query/v1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sql: 'SELECT count(*) FROM range(100000000000) a' }),
        signal: abort.signal,
      }).catch(() => undefined);
      // Deadlines, not counts of polls: under a loaded CI machine each poll itself takes long.
      const runningQueries = async (until: (n: number) => boolean, what: string) => {
        const deadline = Date.now() + 240_000;
        let running: unknown[] = [];
        for (;;) {
          running = (await (await fetch(`${base}/api/query/v1`)).json()) as unknown[];
          if (until(running.length)) return running;
          if (Date.now() > deadline) assert.fail(`waited 240 s for ${what}; ${running.length} running`);
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      assert.equal((await runningQueries((n) => n > 0, 'the query to run')).length, 1);
      abort.abort();
      await pending;
      assert.equal((await runningQueries((n) => n === 0, 'the abandoned query to be cancelled')).length, 0);
    });
  });
}
