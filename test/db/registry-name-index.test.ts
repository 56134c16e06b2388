import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { STORES, createTestDatabase, type TestDatabase } from '../support/stores.ts';

const KINDS = ['application', 'cluster', 'command'] as const;

// The registry's name search (`name=spark%`) is `name like ?` with the pattern bound as a parameter.
// On a table this small the planner would rather scan, so PostgreSQL is told to avoid scans where it
// can: a plan without an index then means no index could serve the prefix at all.
async function plan(db: Kysely<unknown>, store: string, table: string, pattern: string): Promise<string> {
  const query = sql`select count(*) from ${sql.table(table)} as r where r.name like ${pattern}`;
  if (store === 'sqlite') {
    const rows = await sql<{ detail: string }>`explain query plan ${query}`.execute(db);
    return rows.rows.map((r) => r.detail).join('\n');
  }
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const rows = await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(trx);
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

for (const store of STORES) {
  describe(`registry name prefix search on ${store}`, () => {
    let testDb: TestDatabase;
    let database: Database;

    before(async () => {
      testDb = await createTestDatabase(store);
      database = await openDatabase(testDb.config);
    });
    after(async () => {
      await database.close();
      await testDb.drop();
    });

    for (const kind of KINDS) {
      it(`reads a ${kind} name prefix from an index, not a table scan`, async () => {
        const table = `registry_${kind}`;
        const detail = await plan(database.db as Kysely<unknown>, store, table, 'spark-3%');
        // A range on the prefix, not a walk of the whole index with the LIKE as a filter.
        const expected = store === 'sqlite' ? [`INDEX ${table}_name (name>? AND name<?)`] : [`${table}_name_pattern`, `Index Cond: ((name ~>=~ 'spark-3'::text)`];
        for (const part of expected) assert.ok(detail.includes(part), `plan for a name prefix on ${table}:\n${detail}`);
      });
    }
  });
}
