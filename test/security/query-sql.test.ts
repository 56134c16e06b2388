import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { QueryEngine } from '../../src/query/query-engine.ts';
import { STORES } from '../support/stores.ts';
import { EVENTS_TABLE, openTestWarehouse, type TestWarehouse } from '../table/warehouse-support.ts';

const SECRET = 'the-secret-outside-the-warehouse';

/** Runs a query to its end; answers its rows as text (for a look for the secret), or throws. */
async function run(engine: QueryEngine, sql: string): Promise<string> {
  const query = await engine.start(sql);
  try {
    await query.columns();
    const rows: unknown[][] = [];
    for await (const chunk of query.rows()) rows.push(...chunk);
    return JSON.stringify(rows);
  } finally {
    query.close();
  }
}

// A user's SQL on the query API (/api/query/v1) against DuckDB: every way DuckDB has to read or
// write a file, reach the network, load code or change its own settings, directly and hidden in
// CTEs, subqueries, lists of paths and set operations. test/query covers the plain forms of a few.
for (const store of STORES) {
  describe(`query API SQL from a hostile user (${store})`, () => {
    let t: TestWarehouse;
    let engine: QueryEngine;
    let secret: string;
    let web: Server;
    let hits = 0;
    let loopback: string;

    before(async () => {
      t = await openTestWarehouse(store);
      engine = new QueryEngine(t.warehouse, { memoryLimit: '256MB', spillDirectory: path.join(t.dir, 'spill'), catalogNames: ['warehouse'] });
      const table = await t.warehouse.createTable({ namespace: ['web'], name: 'events' }, EVENTS_TABLE);
      await t.data.appendRows(table, [{ id: 1, ts: '2024-03-01T12:00:00Z', kind: 'view', value: 1 }]);
      secret = path.join(t.dir, 'secret.csv');
      writeFileSync(secret, `a\n${SECRET}\n`);
      // A loopback service an SSRF would reach: it counts every request.
      web = createServer((_request, response) => {
        hits++;
        response.end(SECRET);
      });
      await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
      const address = web.address();
      loopback = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    after(async () => {
      engine?.close();
      web?.close();
      await t?.close();
    });

    it('refuses file reads, network reads, extensions, attaching, writing and settings, however hidden', async () => {
      const attacks = [
        `SELECT * FROM read_csv(['${secret}', '/etc/passwd'])`,
        `SELECT * FROM read_text('/etc/passwd')`,
        `SELECT * FROM read_blob('${secret}')`,
        `SELECT * FROM glob('/*')`,
        `SELECT * FROM '${secret}'`,
        `SELECT * FROM read_parquet('${loopback}/x.parquet')`,
        `SELECT * FROM '${loopback}/x.csv'`,
        `SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')')`,
        `SELECT * FROM query_table('web.events')`,
        `SELECT * FROM sniff_csv('${secret}')`,
        `SELECT * FROM parquet_metadata('${secret}')`,
        `SELECT * FROM duckdb_settings()`,
        `WITH x AS (SELECT * FROM read_csv_auto('${secret}')) SELECT * FROM x`,
        `SELECT id FROM web.events WHERE EXISTS (SELECT 1 FROM read_text('${secret}') WHERE content LIKE '%secret%')`,
        `SELECT id FROM web.events UNION ALL SELECT 1 FROM glob('${t.dir}/*')`,
        `SELECT * FROM (SELECT * FROM web.events) e, LATERAL (SELECT * FROM read_json('${secret}')) j`,
        `SELECT getenv('HOME')`,
        `ATTACH '${path.join(t.dir, 'x.duckdb')}' AS x`,
        `INSTALL httpfs`,
        `LOAD httpfs`,
        `COPY (SELECT 1) TO '${path.join(t.dir, 'out.csv')}'`,
        `EXPORT DATABASE '${path.join(t.dir, 'export')}'`,
        `SET enable_external_access = true`,
        `RESET lock_configuration`,
        `PRAGMA enable_profiling`,
        `CREATE MACRO m() AS TABLE SELECT * FROM read_text('/etc/passwd')`,
        `CREATE VIEW v AS SELECT * FROM read_text('/etc/passwd')`,
        `SELECT 1; SELECT * FROM read_text('/etc/passwd')`,
        `CALL duckdb_secrets()`,
      ];
      const leaked: string[] = [];
      for (const sql of attacks) {
        let result: string | undefined;
        try {
          result = await run(engine, sql);
        } catch (error) {
          // Refused, or failed: either way the message must not carry what it tried to read.
          if ((error as Error).message.includes(SECRET) || /root:x:0:0/.test((error as Error).message)) leaked.push(`${sql} → error ${(error as Error).message}`);
          continue;
        }
        leaked.push(`${sql} → ran: ${result.slice(0, 200)}`);
      }
      assert.deepEqual(leaked, [], 'queries that ran, or whose error showed what they read');
      assert.equal(hits, 0, 'a query reached a loopback service');
    });

    it('still answers a plain query over the warehouse after all that', async () => {
      assert.equal(await run(engine, 'SELECT count(*) FROM web.events'), '[[1]]');
    });
  });
}
