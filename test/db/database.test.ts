import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { STORES, createTestDatabase, type TestDatabase } from '../support/stores.ts';

for (const store of STORES) {
  describe(`metadata database on ${store}`, () => {
    let testDb: TestDatabase;
    let database: Database;

    before(async () => {
      testDb = await createTestDatabase(store);
      database = await openDatabase(testDb.config);
      await sql`create table probe (id text primary key, status text not null, size bigint not null)`.execute(database.db);
    });
    after(async () => {
      await database.close();
      await testDb.drop();
    });

    it('runs migrations at open and again without effect', async () => {
      const again = await openDatabase(testDb.config);
      await again.close();
      assert.equal(await database.ping(), true);
    });

    it('returns bigint columns and counts as numbers on both dialects', async () => {
      await sql`insert into probe (id, status, size) values ('a', 'NEW', 1700000000000)`.execute(database.db);
      const row = await sql<{ size: number; n: number }>`select size, (select count(*) from probe) as n from probe where id = 'a'`.execute(database.db);
      assert.deepEqual(row.rows[0], { size: 1700000000000, n: 1 });
    });

    it('recognises a unique violation through the adapter', async () => {
      await assert.rejects(
        sql`insert into probe (id, status, size) values ('a', 'NEW', 1)`.execute(database.db),
        (error: unknown) => database.adapter.isUniqueViolation(error) && !database.adapter.isForeignKeyViolation(error),
      );
    });

    it('reports how many rows a compare-and-swap update changed', async () => {
      const swap = (from: string, to: string) =>
        sql`update probe set status = ${to} where id = 'a' and status = ${from}`.execute(database.db).then((r) => Number(r.numAffectedRows ?? 0));
      assert.equal(await swap('NEW', 'RUNNING'), 1);
      assert.equal(await swap('NEW', 'FAILED'), 0, 'the second writer sees the first one won');
    });
  });
}
