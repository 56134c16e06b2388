import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { CatalogConfig } from '../../src/config/config.ts';
import { mariadbRootUrl } from '../support/mariadb-server.ts';
import { postgresAdminUrl } from '../support/postgres-server.ts';

export type SourceKind = 'postgresql' | 'mysql' | 'sqlite';
export const SOURCES: readonly SourceKind[] = ['postgresql', 'mysql', 'sqlite'];

/**
 * The rows every source holds in its `members` table (columns of every common type; nulls; unicode,
 * quotes and newlines), as the warehouse should give them back through DuckDB's JSON values.
 */
export const MEMBERS = [
  { id: 1, name: 'Zoë 🎬 東京', code: 'abc', active: true, small: -3, qty: 42, big: 9007199254740993n, score: 1.5, amount: '1234.56', day: '2024-02-29', at: '2024-02-29 13:45:01.123456', raw: '00ff10', doc: { k: 'v' } },
  { id: 2, name: null, code: null, active: null, small: null, qty: null, big: null, score: null, amount: null, day: null, at: null, raw: null, doc: null },
  { id: 3, name: `it's "quoted"\nand ünïcode`, code: 'xyz', active: false, small: 32767, qty: -2147483648, big: -1n, score: -0.25, amount: '-0.01', day: '1970-01-01', at: '1999-12-31 23:59:59', raw: 'deadbeef', doc: [1, 2] },
] as const;

/** Real databases holding `members` (and `accounts` for consistency tests): PostgreSQL, MariaDB and a SQLite file. */
export interface SnapshotPeers {
  readonly catalogs: CatalogConfig[];
  /** The database holding the tables in each source (PostgreSQL schema, MariaDB database, SQLite main). */
  readonly database: Record<SourceKind, string>;
  postgres(): Promise<pg.Client>;
  mariadb(): Promise<mysql.Connection>;
  readonly sqlitePath: string;
  drop(): Promise<void>;
}

export async function createSnapshotPeers(): Promise<SnapshotPeers> {
  const suffix = randomBytes(4).toString('hex');
  const pgAdmin = await postgresAdminUrl();
  const pgName = `quarry_snap_${suffix}`;
  const admin = new pg.Client({ connectionString: pgAdmin });
  await admin.connect();
  await admin.query(`create database ${pgName}`);
  await admin.end();
  const postgresUrl = Object.assign(new URL(pgAdmin), { pathname: `/${pgName}` }).href;
  const postgres = async () => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    return client;
  };
  const client = await postgres();
  await client.query(`
    create schema dim;
    create table dim.members (id bigint primary key, name text, code char(3), active boolean, small smallint, qty integer, big bigint,
      score double precision, amount numeric(12,2), day date, at timestamp, raw bytea, doc jsonb,
      at_utc timestamptz, tags text[], ratio real, uid uuid, exact numeric, pay money);
    create table dim.accounts (id int primary key, balance bigint not null);
    insert into dim.accounts select g, 1000 from generate_series(1, 200) g;
    analyze dim.accounts;
  `);
  for (const m of MEMBERS) {
    await client.query('insert into dim.members (id, name, code, active, small, qty, big, score, amount, day, at, raw, doc) values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)', [
      m.id, m.name, m.code, m.active, m.small, m.qty, m.big?.toString() ?? null, m.score, m.amount, m.day, m.at, m.raw === null ? null : Buffer.from(m.raw, 'hex'), m.doc === null ? null : JSON.stringify(m.doc),
    ]);
  }
  await client.query(`update dim.members set at_utc = '2024-03-01 10:00:00+02', tags = array['a', 'ü', null], ratio = 0.5, uid = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', exact = 123456789012345678901234567890.123456789, pay = 12.34 where id = 1`);
  await client.end();

  const mariadbRoot = await mariadbRootUrl();
  const mdbName = `quarry_snap_${suffix}`;
  const mariadbUrl = Object.assign(new URL(mariadbRoot), { pathname: `/${mdbName}` }).href;
  const mariadb = () => mysql.createConnection({ uri: mariadbUrl, charset: 'utf8mb4' });
  const root = await mysql.createConnection({ uri: mariadbRoot });
  await root.query(`create database ${mdbName} character set utf8mb4`);
  await root.end();
  const maria = await mariadb();
  await maria.query(`create table members (id bigint primary key, name text, code char(3), active boolean, small smallint, qty int, big bigint,
      score double, amount decimal(12,2), day date, at datetime(6), raw varbinary(16), doc json,
      ubig bigint unsigned, status enum('new', 'paid'), flag bit(1), ratio float) engine=InnoDB`);
  await maria.query('create table accounts (id int primary key, balance bigint not null) engine=InnoDB');
  await maria.query(`insert into accounts (id, balance) values ${Array.from({ length: 200 }, (_, i) => `(${i + 1}, 1000)`).join(', ')}`);
  for (const m of MEMBERS) {
    await maria.query('insert into members (id, name, code, active, small, qty, big, score, amount, day, at, raw, doc) values (?,?,?,?,?,?,?,?,?,?,?,?,?)', [
      m.id, m.name, m.code, m.active, m.small, m.qty, m.big?.toString() ?? null, m.score, m.amount, m.day, m.at, m.raw === null ? null : Buffer.from(m.raw, 'hex'), m.doc === null ? null : JSON.stringify(m.doc),
    ]);
  }
  await maria.query(`update members set ubig = 18446744073709551615, status = 'paid', flag = b'1', ratio = 0.5 where id = 1`);
  await maria.end();

  const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-snap-sqlite-'));
  const sqlitePath = path.join(dir, 'dims.db');
  const file = new BetterSqlite3(sqlitePath);
  file.exec(`create table members (id integer primary key, name text, code char(3), active boolean, small smallint, qty int, big bigint,
      score double, amount decimal(12,2), day date, at datetime, raw blob, doc json, anything)`);
  const insert = file.prepare('insert into members (id, name, code, active, small, qty, big, score, amount, day, at, raw, doc) values (?,?,?,?,?,?,?,?,?,?,?,?,?)');
  for (const m of MEMBERS) {
    insert.run(m.id, m.name, m.code, m.active === null ? null : m.active ? 1 : 0, m.small, m.qty, m.big, m.score, m.amount === null ? null : Number(m.amount), m.day, m.at, m.raw === null ? null : Buffer.from(m.raw, 'hex'), m.doc === null ? null : JSON.stringify(m.doc));
  }
  file.exec(`update members set anything = 'free text' where id = 1`);
  file.close();

  return {
    catalogs: [
      { name: 'pg', connector: 'postgresql', url: postgresUrl },
      { name: 'maria', connector: 'mysql', url: mariadbUrl },
      { name: 'lite', connector: 'sqlite', path: sqlitePath },
    ] as CatalogConfig[],
    database: { postgresql: 'dim', mysql: mdbName, sqlite: 'main' },
    postgres,
    mariadb,
    sqlitePath,
    async drop() {
      const a = new pg.Client({ connectionString: pgAdmin });
      await a.connect();
      await a.query(`drop database if exists ${pgName} with (force)`);
      await a.end();
      const m = await mysql.createConnection({ uri: mariadbRoot });
      await m.query(`drop database if exists ${mdbName}`);
      await m.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The catalog name of each source kind in SnapshotPeers.catalogs. */
export const CATALOG: Record<SourceKind, string> = { postgresql: 'pg', mysql: 'maria', sqlite: 'lite' };
