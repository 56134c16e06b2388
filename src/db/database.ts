import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/config.ts';
import { redact } from '../config/config.ts';
import { ConnectionHealth, isConnectionError } from './connection-health.ts';
import { withStatementDeadline } from './statement-deadline.ts';
import type { DialectAdapter } from './adapters/dialect-adapter.ts';
import { postgresAdapter } from './adapters/postgres-adapter.ts';
import { sqliteAdapter } from './adapters/sqlite-adapter.ts';
import { migrateToLatest } from './migrate.ts';
import type { Tables } from './tables.ts';

/** The metadata database: one Kysely handle plus what differs between its two dialects. */
export interface Database {
  readonly db: Kysely<Tables>;
  readonly adapter: DialectAdapter;
  /** A description safe to log (no password). */
  readonly description: string;
  /** Whether the database answered the last query that reached for it (always up for SQLite). */
  readonly health: ConnectionHealth;
  /** Answers true when a trivial query succeeds. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** Where the database's down/back lines go (default stderr). */
  log?: (line: string) => void;
}

/** How long one statement may wait for PostgreSQL by default (below the agents' 18 s fence). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;

export async function openDatabase(config: DatabaseConfig, options: OpenDatabaseOptions = {}): Promise<Database> {
  // Migrations may legitimately run long (an index on a big table): the deadline starts after them.
  let statementTimeoutMs = 0;
  const database =
    config.kind === 'sqlite'
      ? openSqlite(config.path)
      : openPostgres(config.url, options.poolSize ?? 10, new ConnectionHealth(options.log), () => statementTimeoutMs, config.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS);
  try {
    if (options.migrate ?? true) await migrateToLatest(database.db as Kysely<unknown>);
  } catch (error) {
    await database.close();
    throw error;
  }
  if (config.kind === 'postgres') statementTimeoutMs = config.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  return database;
}

function openSqlite(file: string): Database {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  // WAL lets readers proceed during a write; NORMAL sync is durable across process crashes (only an
  // OS crash can lose the last transactions). Case-sensitive LIKE matches PostgreSQL's behaviour.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('case_sensitive_like = ON');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    adapter: sqliteAdapter,
    health: new ConnectionHealth(),
    description: `sqlite:${file}`,
    ping: () => pingWith(db),
    close: () => db.destroy(),
  };
}

// int8 and numeric arrive from pg as strings. Quarry keeps every such value below 2^53 (epoch
// milliseconds, counts, sizes) and stores wider identifiers as text, so converting to number is exact.
const toNumber = (value: string) => Number(value);
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return toNumber;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

function openPostgres(url: string, poolSize: number, health: ConnectionHealth, statementTimeoutMs: () => number, connectTimeoutCapMs: number): Database {
  // A bounded connect wait: while PostgreSQL is away a request fails (503) in seconds instead of
  // hanging until the client gives up. A hung PostgreSQL accepts the TCP connection and never
  // answers, so the wait is no longer than a statement's either.
  const connectionTimeoutMillis = connectTimeoutCapMs > 0 ? Math.min(5000, connectTimeoutCapMs) : 5000;
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes, connectionTimeoutMillis });
  // Idle and checked-out connections that die emit 'error'; health listens on both, so a cut
  // connection fails the statement it carried, never the process. The next query gets a fresh one.
  health.watchPool(pool);
  const db = new Kysely<Tables>({
    dialect: new PostgresDialect({ pool: watchedPool(pool, health, statementTimeoutMs) }),
    // Every statement's outcome tells whether the database is reachable.
    log: (event) => {
      if (event.level === 'query') health.markUp(Date.now(), Date.now() - event.queryDurationMillis);
      else if (isConnectionError(event.error)) health.markDown(event.error);
    },
  });
  return {
    db,
    adapter: postgresAdapter,
    health,
    description: redact(url),
    ping: () => pingWith(db),
    close: () => db.destroy(),
  };
}

/**
 * The pool as Kysely sees it: failures to connect (the database is down) are reported to health, and
 * each statement has a deadline (a hung database is an outage, not a wait without end).
 */
function watchedPool(pool: pg.Pool, health: ConnectionHealth, statementTimeoutMs: () => number) {
  return {
    async connect() {
      try {
        return withStatementDeadline(await pool.connect(), statementTimeoutMs);
      } catch (error) {
        if (isConnectionError(error)) health.markDown(error);
        throw error;
      }
    },
    end: () => pool.end(),
  };
}

async function pingWith(db: Kysely<Tables>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
