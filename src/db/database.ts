import { mkdirSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config/config.ts';
import { redact } from '../config/config.ts';
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
  /** Answers true when a trivial query succeeds. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

export async function openDatabase(config: DatabaseConfig, options: OpenDatabaseOptions = {}): Promise<Database> {
  const database = config.kind === 'sqlite' ? openSqlite(config.path) : openPostgres(config.url, options.poolSize ?? 10);
  try {
    if (options.migrate ?? true) await migrateToLatest(database.db as Kysely<unknown>);
  } catch (error) {
    await database.close();
    throw error;
  }
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

function openPostgres(url: string, poolSize: number): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes });
  // An idle client that loses its connection emits 'error' on the pool; without a listener that
  // would crash the process. The next query gets a fresh connection.
  pool.on('error', () => {});
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    adapter: postgresAdapter,
    description: redact(url),
    ping: () => pingWith(db),
    close: () => db.destroy(),
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
