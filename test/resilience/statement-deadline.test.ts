import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { StatementTimeoutError } from '../../src/db/statement-deadline.ts';
import { isConnectionError } from '../../src/db/connection-health.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../support/fault-cluster.ts';

/**
 * A hung PostgreSQL (SIGSTOPped: the connection stays open, nothing answers) against one node's
 * pool. Without a deadline the statement waits until PostgreSQL wakes, however long that is; with
 * one it fails as an outage, the connection it held is dropped, and the pool serves again once
 * PostgreSQL answers.
 */
describe('metadata database: a statement PostgreSQL does not answer has a deadline', { timeout: 300_000 }, () => {
  let postgres: PrivatePostgres;
  let database: Database;
  const lines: string[] = [];
  before(async () => {
    postgres = await startPrivatePostgres();
    database = await openDatabase({ kind: 'postgres', url: postgres.url, statementTimeoutMs: 1000 }, { poolSize: 2, log: (line) => lines.push(line) });
  });
  after(async () => {
    postgres?.pause(false);
    await database?.close();
    postgres?.destroy();
  });

  it('fails a statement on a hung connection with StatementTimeoutError, a 503-class error, and recovers', async () => {
    await sql`select 1`.execute(database.db); // a pooled, idle connection: the one that will hang
    postgres.pause(true);
    let outcome: unknown;
    // The guard only ends a hanging statement so the test can report it; the deadline is 1 s.
    const guard = new Promise((resolve) => setTimeout(() => resolve('still waiting after 60 s'), 60_000).unref());
    try {
      outcome = await Promise.race([sql`select 1`.execute(database.db).then(() => 'answered'), guard]);
    } catch (error) {
      outcome = error;
    } finally {
      postgres.pause(false);
    }
    assert.ok(outcome instanceof StatementTimeoutError, `the statement failed with StatementTimeoutError, not: ${String(outcome)}`);
    assert.ok(isConnectionError(outcome), 'it is answered as an outage (503)');
    assert.equal(database.health.available, false, 'health saw the outage');
    // PostgreSQL answers again: the next statements get working connections (the hung one was dropped).
    for (let i = 0; i < 4; i++) assert.deepEqual((await sql<{ one: number }>`select 1 as one`.execute(database.db)).rows, [{ one: 1 }]);
    assert.equal(database.health.available, true, 'and saw it end');
    assert.match(lines.join('\n'), /did not answer within 1 s/);
  });

  it('rolls back a transaction whose statement timed out', async () => {
    await sql`create table if not exists deadline_probe (id int primary key)`.execute(database.db);
    await sql`delete from deadline_probe`.execute(database.db);
    let failure: unknown;
    try {
      await database.db.transaction().execute(async (trx) => {
        await sql`insert into deadline_probe values (1)`.execute(trx);
        postgres.pause(true);
        try {
          await sql`insert into deadline_probe values (2)`.execute(trx);
        } finally {
          postgres.pause(false);
        }
      });
    } catch (error) {
      failure = error;
    }
    assert.ok(failure instanceof StatementTimeoutError, `the transaction failed on the deadline: ${String(failure)}`);
    // Whatever PostgreSQL ran after waking, the transaction never committed.
    for (let i = 0; i < 100; i++) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from deadline_probe`.execute(database.db);
      assert.equal(rows[0]!.n, 0, 'no row of the timed-out transaction is visible');
      if (i > 10) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
});
