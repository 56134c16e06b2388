import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { mariadbRootUrl } from '../support/mariadb-server.ts';
import { openTestPlatform, type TestPlatform } from '../support/platform.ts';
import { postgresAdminUrl } from '../support/postgres-server.ts';
import { STORES } from '../support/stores.ts';

interface FieldOut {
  name: string;
  type: string;
  source_type: string;
  isNullable: boolean;
  isIndexKey: boolean;
  size?: number;
  comment?: string;
}

/** Known schemas in real peers: a PostgreSQL database, a MariaDB database and a SQLite file. */
interface Peers {
  postgresUrl: string;
  mariadbUrl: string;
  sqlitePath: string;
  drop(): Promise<void>;
}

async function createPeers(): Promise<Peers> {
  const suffix = randomBytes(4).toString('hex');
  const pgAdmin = await postgresAdminUrl();
  const pgName = `quarry_fed_${suffix}`;
  const admin = new pg.Client({ connectionString: pgAdmin });
  await admin.connect();
  await admin.query(`create database ${pgName}`);
  await admin.end();
  const postgresUrl = Object.assign(new URL(pgAdmin), { pathname: `/${pgName}` }).href;
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.query(`
    create schema shop;
    create type shop.mood as enum ('happy', 'sad');
    create domain shop.email as varchar(320);
    create table shop.orders (
      id bigint primary key,
      customer varchar(64) not null,
      amount numeric(10,2),
      placed_at timestamptz,
      shipped_at timestamp,
      tags text[],
      doc jsonb,
      active boolean default true,
      note text,
      qty integer,
      ratio real,
      score double precision,
      day date,
      raw bytea,
      small smallint,
      uid uuid,
      code char(3),
      contact shop.email,
      feeling shop.mood
    );
    comment on table shop.orders is 'one row per order';
    comment on column shop.orders.customer is 'who ordered';
    create table shop.order_lines (order_id bigint, line int, sku text, primary key (order_id, line));
    create view shop.big_orders as select id, amount from shop.orders where amount > 100;
    insert into shop.orders (id, customer, amount) select g, 'c' || g, g from generate_series(1, 250) g;
    analyze shop.orders;
  `);
  await client.end();

  const mariadbRoot = await mariadbRootUrl();
  const mdbName = `quarry_fed_${suffix}`;
  const maria = await mysql.createConnection({ uri: mariadbRoot, multipleStatements: true });
  await maria.query(`
    create database ${mdbName};
    use ${mdbName};
    create table Orders (
      id int not null auto_increment primary key,
      customer varchar(64) not null comment 'who ordered',
      amount decimal(10,2),
      placed_at datetime,
      created timestamp null,
      active boolean,
      doc json,
      note text,
      qty int unsigned,
      big bigint unsigned,
      ratio float,
      score double,
      day date,
      raw varbinary(16),
      small smallint,
      tiny tinyint,
      status enum('new', 'paid'),
      flag bit(1),
      yr year
    ) comment 'one row per order';
    create table order_lines (order_id int, line int, sku text, primary key (order_id, line));
    create view big_orders as select id, amount from Orders where amount > 100;
    insert into Orders (customer, amount) values ('a', 1), ('b', 2), ('c', 300);
    analyze table Orders;
  `);
  await maria.end();
  const mariadbUrl = Object.assign(new URL(mariadbRoot), { pathname: `/${mdbName}` }).href;

  const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-fed-sqlite-'));
  const sqlitePath = path.join(dir, 'shop.db');
  const file = new BetterSqlite3(sqlitePath);
  file.exec(`
    create table orders (id integer primary key, customer varchar(64) not null, amount decimal(10,2), placed_at datetime,
      active boolean, doc json, note text, qty int, ratio real, raw blob, anything);
    create table order_lines (order_id integer, line integer, sku text, primary key (order_id, line));
    create view big_orders as select id, amount from orders where amount > 100;
    insert into orders (customer, amount) values ('a', 1), ('b', 2), ('c', 300), ('d', 4);
  `);
  file.close();

  return {
    postgresUrl,
    mariadbUrl,
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

function fieldsByName(body: { fields: FieldOut[] }): Map<string, FieldOut> {
  return new Map(body.fields.map((f) => [f.name, f]));
}

describe('catalog federation over real PostgreSQL, MariaDB and SQLite', () => {
  let peers: Peers;
  before(async () => {
    peers = await createPeers();
  });
  after(() => peers?.drop());

  for (const store of STORES) {
    describe(`with the catalog stored in ${store}`, () => {
      let t: TestPlatform;
      before(async () => {
        t = await openTestPlatform(store, {
          catalogs: [
            { name: 'shop_pg', connector: 'postgresql', url: peers.postgresUrl, databases: ['shop'] },
            { name: 'shop_maria', connector: 'mysql', url: peers.mariadbUrl },
            { name: 'shop_file', connector: 'sqlite', path: peers.sqlitePath },
          ],
        });
      });
      after(() => t?.close());

      const get = async (url: string) => t.app.inject({ method: 'GET', url: `/mds/v1${url}` });

      it('lists every configured catalog with its connector type (case 1)', async () => {
        const res = await get('/catalog');
        assert.equal(res.statusCode, 200);
        assert.deepEqual(
          res.json().map((c: { catalogName: string; connectorName: string }) => `${c.catalogName}:${c.connectorName}`),
          ['warehouse:warehouse', 'shop_pg:postgresql', 'shop_maria:mysql', 'shop_file:sqlite'],
        );
      });

      it('browses PostgreSQL schemas, tables, columns with mapped types, keys and row estimates', async () => {
        const catalog = (await get('/catalog/shop_pg')).json();
        assert.deepEqual(catalog.databases, ['shop']);
        assert.equal(catalog.type, 'postgresql');
        const db = (await get('/catalog/shop_pg/database/shop')).json();
        assert.deepEqual(db.tables, ['big_orders', 'order_lines', 'orders']);

        const res = await get('/catalog/shop_pg/database/shop/table/orders');
        assert.equal(res.statusCode, 200);
        const table = res.json();
        const fields = fieldsByName(table);
        const expected: Record<string, [string, string]> = {
          id: ['bigint', 'bigint'],
          customer: ['varchar(64)', 'character varying(64)'],
          amount: ['decimal(10,2)', 'numeric(10,2)'],
          placed_at: ['timestamp with time zone', 'timestamp with time zone'],
          shipped_at: ['timestamp', 'timestamp without time zone'],
          tags: ['array<string>', 'text[]'],
          doc: ['json', 'jsonb'],
          active: ['boolean', 'boolean'],
          note: ['string', 'text'],
          qty: ['int', 'integer'],
          ratio: ['float', 'real'],
          score: ['double', 'double precision'],
          day: ['date', 'date'],
          raw: ['varbinary', 'bytea'],
          small: ['smallint', 'smallint'],
          uid: ['string', 'uuid'],
          code: ['char(3)', 'character(3)'],
          contact: ['varchar(320)', 'shop.email'],
          feeling: ['string', 'shop.mood'],
        };
        assert.deepEqual([...fields.keys()], Object.keys(expected), 'columns in table order');
        for (const [name, [type, sourceType]] of Object.entries(expected)) {
          assert.equal(fields.get(name)!.type, type, `type of ${name}`);
          assert.equal(fields.get(name)!.source_type, sourceType, `source_type of ${name}`);
        }
        assert.equal(fields.get('id')!.isIndexKey, true);
        assert.equal(fields.get('id')!.isNullable, false);
        assert.equal(fields.get('customer')!.isNullable, false);
        assert.equal(fields.get('customer')!.size, 64);
        assert.equal(fields.get('amount')!.isNullable, true);
        assert.equal(table.metadata.numRows, '250');
        assert.equal(table.metadata.primary_key, 'id');
        assert.equal(table.metadata.comment, 'one row per order');

        const lines = (await get('/catalog/shop_pg/database/shop/table/order_lines')).json();
        assert.equal(lines.metadata.primary_key, 'order_id,line');
        const view = (await get('/catalog/shop_pg/database/shop/table/big_orders')).json();
        assert.equal(view.metadata.table_type, 'VIRTUAL_VIEW');
        assert.match(view.view.viewOriginalText, /amount > /);
      });

      it('browses MariaDB databases and tables, matching names ignoring case', async () => {
        const catalog = (await get('/catalog/shop_maria')).json();
        const database = new URL(peers.mariadbUrl).pathname.slice(1);
        // Other test files may have databases on the same server meanwhile: only ours is known, and no system schema shows.
        assert.ok(catalog.databases.includes(database), JSON.stringify(catalog.databases));
        assert.deepEqual(catalog.databases.filter((d: string) => ['information_schema', 'mysql', 'performance_schema', 'sys'].includes(d)), []);
        const db = (await get(`/catalog/shop_maria/database/${database}`)).json();
        assert.deepEqual([...db.tables].sort(), ['Orders', 'big_orders', 'order_lines'], 'names keep their spelling');

        const res = await get(`/catalog/shop_maria/database/${database}/table/orders`);
        assert.equal(res.statusCode, 200);
        const table = res.json();
        const fields = fieldsByName(table);
        const expected: Record<string, string> = {
          id: 'int',
          customer: 'varchar(64)',
          amount: 'decimal(10,2)',
          placed_at: 'timestamp',
          created: 'timestamp',
          active: 'boolean',
          doc: 'json',
          note: 'string',
          qty: 'bigint',
          big: 'decimal(20,0)',
          ratio: 'float',
          score: 'double',
          day: 'date',
          raw: 'varbinary',
          small: 'smallint',
          tiny: 'tinyint',
          status: 'string',
          flag: 'boolean',
          yr: 'smallint',
        };
        assert.deepEqual([...fields.keys()], Object.keys(expected));
        for (const [name, type] of Object.entries(expected)) assert.equal(fields.get(name)!.type, type, `type of ${name}`);
        assert.equal(fields.get('qty')!.source_type, 'int(10) unsigned');
        assert.equal(fields.get('active')!.source_type, 'tinyint(1)');
        assert.equal(fields.get('id')!.isIndexKey, true);
        assert.equal(fields.get('customer')!.isNullable, false);
        assert.equal(fields.get('customer')!.size, 64);
        assert.equal(fields.get('customer')!.comment, 'who ordered');
        assert.equal(table.metadata.numRows, '3');
        assert.equal(table.metadata.primary_key, 'id');

        const lines = (await get(`/catalog/shop_maria/database/${database}/table/order_lines`)).json();
        assert.equal(lines.metadata.primary_key, 'order_id,line');
        const view = (await get(`/catalog/shop_maria/database/${database}/table/big_orders`)).json();
        assert.equal(view.metadata.table_type, 'VIRTUAL_VIEW');
      });

      it('browses a SQLite file read-only', async () => {
        const catalog = (await get('/catalog/shop_file')).json();
        assert.deepEqual(catalog.databases, ['main']);
        const db = (await get('/catalog/shop_file/database/main')).json();
        assert.deepEqual(db.tables, ['big_orders', 'order_lines', 'orders']);
        const table = (await get('/catalog/shop_file/database/main/table/orders')).json();
        const fields = fieldsByName(table);
        const expected: Record<string, string> = {
          id: 'bigint',
          customer: 'varchar(64)',
          amount: 'decimal(10,2)',
          placed_at: 'timestamp',
          active: 'boolean',
          doc: 'json',
          note: 'string',
          qty: 'bigint',
          ratio: 'double',
          raw: 'varbinary',
          anything: 'unknown',
        };
        assert.deepEqual([...fields.keys()], Object.keys(expected));
        for (const [name, type] of Object.entries(expected)) assert.equal(fields.get(name)!.type, type, `type of ${name}`);
        assert.equal(fields.get('id')!.isIndexKey, true);
        assert.equal(fields.get('id')!.isNullable, false);
        assert.equal(table.metadata.numRows, '4');
        const lines = (await get('/catalog/shop_file/database/main/table/order_lines')).json();
        assert.equal(lines.metadata.primary_key, 'order_id,line');
      });

      it('answers 404 for what a source lacks and 501 for writes', async () => {
        assert.equal((await get('/catalog/shop_pg/database/nope')).statusCode, 404);
        assert.equal((await get('/catalog/shop_pg/database/shop/table/nope')).statusCode, 404);
        assert.equal((await get('/catalog/shop_file/database/other')).statusCode, 404);
        const create = await t.app.inject({ method: 'POST', url: '/mds/v1/catalog/shop_pg/database/x' });
        assert.equal(create.statusCode, 501);
        assert.match(create.json().message, /Catalog shop_pg \(postgresql\) does not support create databases/);
        const drop = await t.app.inject({ method: 'DELETE', url: '/mds/v1/catalog/shop_file/database/main/table/orders' });
        assert.equal(drop.statusCode, 501);
        const partitions = await get('/partition/catalog/shop_maria/database/x/table/orders');
        assert.equal(partitions.statusCode, 501);
      });

      it('keeps definition metadata and tags on federated tables', async () => {
        const url = '/mds/v1/catalog/shop_pg/database/shop/table/orders';
        const put = await t.app.inject({ method: 'PUT', url, payload: { definitionMetadata: { owner: { userId: 'sales' } } } });
        assert.equal(put.statusCode, 200, put.body);
        const tagged = await t.app.inject({ method: 'POST', url: '/mds/v1/tag/catalog/shop_pg/database/shop/table/orders', payload: ['pii'] });
        assert.equal(tagged.statusCode, 201);
        const table = (await get('/catalog/shop_pg/database/shop/table/orders')).json();
        assert.deepEqual(table.definitionMetadata, { owner: { userId: 'sales' }, tags: ['pii'] });
        const owned = (await get('/metadata/searchByOwners?owner=sales')).json();
        assert.deepEqual(owned.map((n: { qualifiedName: string }) => n.qualifiedName), ['shop_pg/shop/orders']);
      });

      it('searches table names across catalogs', async () => {
        const res = await get('/search/table?q=order_l');
        assert.equal(res.statusCode, 200);
        const names = res.json().map((table: { name: { qualifiedName: string } }) => table.name.qualifiedName).sort();
        const database = new URL(peers.mariadbUrl).pathname.slice(1);
        assert.deepEqual(names, [`shop_file/main/order_lines`, `shop_maria/${database}/order_lines`, 'shop_pg/shop/order_lines']);
      });
    });
  }
});
