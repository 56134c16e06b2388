import type pg from 'pg';

/**
 * A statement the metadata database did not answer in time. PostgreSQL that hangs (paused, a
 * network path that drops packets, a host out of memory) leaves a statement waiting forever: without
 * a deadline the request carrying it never answers, the pool's connections fill with such waits, and
 * the agents, hearing nothing, fence their jobs. With one, the request answers 503 like any outage.
 *
 * Whether a statement that timed out took effect is unknown: PostgreSQL may still run it when it
 * wakes. The connection is discarded, so nothing else queues behind it.
 */
export class StatementTimeoutError extends Error {
  readonly code = 'QUARRY_DB_TIMEOUT';

  constructor(readonly timeoutMs: number) {
    super(`the metadata database did not answer within ${timeoutMs / 1000} s (statement timed out; the connection was dropped)`);
    this.name = 'StatementTimeoutError';
  }
}

/**
 * A pool client whose text statements (`query(sql, params)`, what Kysely sends) fail with
 * StatementTimeoutError after `timeoutMs()` milliseconds (0: no deadline). Once one has timed out the
 * client is destroyed when released instead of going back to the pool. Cursors pass through
 * unbounded (Quarry streams none from the metadata database).
 */
export function withStatementDeadline(client: pg.PoolClient, timeoutMs: () => number): pg.PoolClient {
  let timedOut = false;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const release = client.release.bind(client);
  const bounded = Object.create(client) as pg.PoolClient;
  Object.assign(bounded, {
    query(...args: unknown[]) {
      const ms = timeoutMs();
      if (typeof args[0] !== 'string' || typeof args.at(-1) === 'function' || ms <= 0) return query(...args);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new StatementTimeoutError(ms));
        }, ms);
      });
      // The losing promise's rejection is handled by race; a late answer is dropped.
      return Promise.race([query(...args) as Promise<unknown>, deadline]).finally(() => clearTimeout(timer));
    },
    release(destroy?: boolean | Error) {
      return release(timedOut ? new Error('statement timed out') : destroy);
    },
  });
  return bounded;
}
