import type pg from 'pg';

/**
 * Whether the metadata database is reachable, as the traffic through this node has seen it: the last
 * query to succeed or fail on a connection problem decides. It logs each change once ("down",
 * "back"), so an outage is two log lines rather than one stack trace per request.
 */
export class ConnectionHealth {
  private down?: { since: number; reason: string };

  constructor(private readonly log: (line: string) => void = (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`)) {}

  get available(): boolean {
    return this.down === undefined;
  }

  /** Why the database is down, and since when (epoch ms); undefined while it is up. */
  get outage(): { since: number; reason: string } | undefined {
    return this.down;
  }

  markDown(error: unknown, now = Date.now()): void {
    if (this.down) return;
    this.down = { since: now, reason: errorText(error) };
    this.log(`metadata database is unavailable: ${this.down.reason}`);
  }

  /**
   * A statement succeeded. One that started before the outage was noticed proves nothing (it may
   * have been answered just before the cut), so `startedAt` keeps the state from flapping.
   */
  markUp(now = Date.now(), startedAt = now): void {
    if (!this.down || startedAt <= this.down.since) return;
    const seconds = ((now - this.down.since) / 1000).toFixed(1);
    this.down = undefined;
    this.log(`metadata database is available again after ${seconds} s`);
  }

  /**
   * Gives every connection of the pool an error listener, idle or checked out. `pg` emits 'error' on
   * a checked-out Client whose socket dies between queries (57P01 when PostgreSQL terminates the
   * backend); an 'error' event without a listener would end the process. The query that was running
   * fails with the same error and is handled by its caller; the pool discards the client.
   */
  watchPool(pool: pg.Pool): void {
    pool.on('error', (error) => this.markDown(error));
    pool.on('connect', (client) => {
      client.on('error', (error) => {
        if (isConnectionError(error)) this.markDown(error);
      });
    });
  }
}

// SQLSTATE classes and codes that mean "the connection or the server went away", not "the statement
// is wrong": 08 connection exception, 57P01–57P03 admin/crash shutdown and cannot-connect-now,
// 53300 too many connections; QUARRY_DB_TIMEOUT is a statement PostgreSQL did not answer in time
// (StatementTimeoutError: a hung server).
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', 'QUARRY_DB_TIMEOUT']);
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const CONNECTION_MESSAGES = /Connection terminated|connection (?:is )?closed|Client has encountered a connection error|timeout exceeded when trying to connect|the database system is (?:starting up|shutting down|in recovery mode)/i;

/** True when an error from the database driver means the database could not be reached or dropped the connection. */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (CONNECTION_SQLSTATES.has(code) || code.startsWith('08') || CONNECTION_ERRNOS.has(code))) return true;
  if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
  if (Array.isArray(errors) && errors.some(isConnectionError)) return true; // AggregateError from a dual-stack connect
  return cause !== undefined && cause !== error && isConnectionError(cause);
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.message || error.name}${typeof code === 'string' ? ` (${code})` : ''}`;
  }
  return String(error);
}
