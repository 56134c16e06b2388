import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { isConnectionError } from '../../src/db/connection-health.ts';
import { openDatabase } from '../../src/db/database.ts';
import { errorHandler } from '../../src/http/error-reply.ts';
import { createTestDatabase, STORES } from '../support/stores.ts';
import Fastify from 'fastify';
import { icebergErrorHandler } from '../../src/catalog/routes/iceberg-rest-error-reply.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const store of STORES) {
  describe(`metadata database connection loss on ${store}`, () => {
    it('survives the server terminating a checked-out connection: the work it carried fails, the process does not', async () => {
      const test = await createTestDatabase(store);
      const lines: string[] = [];
      const database = await openDatabase(test.config, { log: (line) => lines.push(line) });
      try {
        if (store === 'sqlite') {
          // One file, no connections to lose: health is always up.
          assert.equal(database.health.available, true);
          assert.equal(await database.ping(), true);
          return;
        }
        // A transaction holds its connection between statements; PostgreSQL terminates that backend
        // (a failover or idle timeout) while the client is idle but checked out. pg emits 'error' on
        // that Client: without a listener the process would end here.
        const outcome = await database.db
          .transaction()
          .execute(async (tx) => {
            const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(tx);
            await terminate(test.config.kind === 'postgres' ? test.config.url : '', rows[0]!.pid);
            await sleep(300);
            await sql`select 1`.execute(tx);
            return 'committed';
          })
          .catch((error: unknown) => error);
        assert.ok(isConnectionError(outcome), `the statement on the cut connection failed as a connection error: ${String(outcome)}`);
        assert.equal(database.health.available, false);
        assert.match(lines.join('\n'), /metadata database is unavailable: .*57P01|metadata database is unavailable: .*(terminat|Connection)/);
        // The next statement gets a fresh connection, and the log says once that the database is back.
        assert.equal(await database.ping(), true);
        assert.equal(database.health.available, true);
        assert.equal(lines.filter((l) => /available again/.test(l)).length, 1);
        assert.equal(lines.filter((l) => /unavailable/.test(l)).length, 1);
      } finally {
        await database.close();
        await test.drop();
      }
    });
  });
}

async function terminate(url: string, pid: number): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('select pg_terminate_backend($1)', [pid]);
  } finally {
    await admin.end();
  }
}

describe('the HTTP answer to a lost database', () => {
  it('is a 503 with Retry-After and a body that names the metadata database, for driver and socket errors alike', async () => {
    const app = Fastify({ logger: false });
    app.setErrorHandler(errorHandler());
    const errors: Record<string, Error> = {
      terminated: Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      refused: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      dropped: new Error('Connection terminated unexpectedly'),
    };
    for (const [name, error] of Object.entries(errors)) {
      app.get(`/${name}`, async () => {
        throw error;
      });
    }
    app.get('/bug', async () => {
      throw Object.assign(new Error('syntax error at or near "selct"'), { code: '42601' });
    });
    for (const name of Object.keys(errors)) {
      const response = await app.inject(`/${name}`);
      assert.equal(response.statusCode, 503, name);
      assert.equal(response.headers['retry-after'], '5');
      assert.match(response.json().message, /metadata database is unavailable/);
    }
    assert.equal((await app.inject('/bug')).statusCode, 500, 'a wrong statement is still a bug, not an outage');
    await app.close();

    const iceberg = Fastify({ logger: false });
    iceberg.setErrorHandler(icebergErrorHandler);
    iceberg.get('/refused', async () => {
      throw errors.refused;
    });
    const answer = await iceberg.inject('/refused');
    assert.equal(answer.statusCode, 503, 'the Iceberg REST catalog answers the same outage with the spec’s 503');
    assert.equal(answer.headers['retry-after'], '5');
    assert.equal(answer.json().error.type, 'ServiceUnavailableException');
    await iceberg.close();
  });
});
