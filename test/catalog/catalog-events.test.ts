import { testConfig } from '../support/test-config.ts';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { QualifiedName } from '../../src/catalog/qualified-name.ts';
import type { CatalogConfig, QuarryConfig } from '../../src/config/config.ts';
import { eventually, readEvents, Receiver, startNode, type Node } from '../support/catalog-events.ts';
import { freePort } from '../support/test-service.ts';
import { STORES, createTestDatabase, type TestDatabase } from '../support/stores.ts';

function nodeConfig(database: TestDatabase, home: string, catalogs: CatalogConfig[], maxAttempts = 100_000): QuarryConfig {
  return testConfig(home, database.config, {
    catalogs,
    // Retry fast, and never give up within a test however slow the machine is.
    catalog: { webhookRetryDelayMs: 20, webhookMaxRetryDelayMs: 200, webhookMaxAttempts: maxAttempts, eventPollMs: 50 },
  });
}

for (const store of STORES) {
  describe(`catalog events on ${store}`, () => {
    let database: TestDatabase;
    let home: string;
    let receiver: Receiver;
    let node: Node;
    let base: string;

    before(async () => {
      database = await createTestDatabase(store);
      home = mkdtempSync(path.join(os.tmpdir(), 'quarry-events-'));
      receiver = new Receiver(await freePort());
      await receiver.up();
      node = await startNode(
        nodeConfig(database, home, [{ name: 'warehouse', connector: 'warehouse', webhooks: [{ name: 'scheduler', url: receiver.url }] }]),
      );
      base = `http://127.0.0.1:${(node.app.server.address() as { port: number }).port}/mds/v1`;
    });
    after(async () => {
      await node?.close();
      await receiver?.down();
      await database?.drop();
      rmSync(home, { recursive: true, force: true });
    });

    const send = async (method: string, url: string, body?: unknown) => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${await res.clone().text()}`);
      return res;
    };
    const table = (db: string, t: string) => `/catalog/warehouse/database/${db}/table/${t}`;
    const createTable = (db: string, t: string) =>
      send('POST', table(db, t), {
        name: { catalogName: 'warehouse', databaseName: db, tableName: t },
        fields: [{ name: 'v', type: 'string' }, { name: 'dateint', type: 'int', partition_key: true }],
      });
    const addPartitions = (db: string, t: string, values: number[]) =>
      send('POST', `/partition${table(db, t)}`, {
        partitions: values.map((v) => ({ name: { qualifiedName: `warehouse/${db}/${t}/dateint=${v}` }, serde: { uri: `s3://b/${t}/${v}` } })),
      });

    it('streams every change over SSE in commit order, and resumes after Last-Event-ID', async () => {
      const stream = await fetch(`${base}/events`);
      assert.equal(stream.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      const sse = readEvents(stream);
      await send('POST', '/catalog/warehouse/database/ev1');
      await createTable('ev1', 't');
      await addPartitions('ev1', 't', [20240101, 20240102]);
      await send('DELETE', `/partition${table('ev1', 't')}`, ['dateint=20240101']);
      await send('POST', `/tag${table('ev1', 't')}`, ['pii']);
      await send('PUT', table('ev1', 't'), { definitionMetadata: { owner: { userId: 'x' } } });
      await send('POST', `${table('ev1', 't')}/rename?newTableName=t2`);
      await send('DELETE', table('ev1', 't2'));
      await send('DELETE', '/catalog/warehouse/database/ev1');
      const expected = [
        'DATABASE_CREATE warehouse/ev1',
        'TABLE_CREATE warehouse/ev1/t',
        'PARTITION_ADD warehouse/ev1/t',
        'PARTITION_DELETE warehouse/ev1/t',
        'TAGS_UPDATE warehouse/ev1/t',
        'TABLE_UPDATE warehouse/ev1/t',
        'TABLE_RENAME warehouse/ev1/t',
        'TABLE_DELETE warehouse/ev1/t2',
        'DATABASE_DELETE warehouse/ev1',
      ];
      await eventually('the SSE events', () => sse.events.length >= expected.length);
      sse.stop();
      assert.deepEqual(sse.events.map((e) => `${e.type} ${e.name}`), expected);
      const seqs = sse.events.map((e) => e.seq);
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in sequence order');
      assert.deepEqual(sse.ids, seqs.map(String), 'the SSE id is the sequence number');
      assert.deepEqual(sse.events[2]!.payload.added, ['dateint=20240101', 'dateint=20240102']);
      assert.equal(sse.events[0]!.source, 'quarry');

      const resumed = readEvents(await fetch(`${base}/events`, { headers: { 'last-event-id': String(seqs[5]) } }));
      await eventually('the resumed events', () => resumed.events.length >= 3);
      resumed.stop();
      assert.deepEqual(resumed.events.map((e) => e.seq), seqs.slice(6));
    });

    it('filters the stream by name prefix and type', async () => {
      const sse = readEvents(await fetch(`${base}/events?namePrefix=warehouse/ev2/landing&type=PARTITION_ADD`));
      await send('POST', '/catalog/warehouse/database/ev2');
      await createTable('ev2', 'landing');
      await createTable('ev2', 'other');
      await addPartitions('ev2', 'other', [1]);
      await addPartitions('ev2', 'landing', [1, 2, 3]);
      await eventually('the filtered event', () => sse.events.length >= 1);
      await send('POST', '/catalog/warehouse/database/ev2b');
      await new Promise((resolve) => setTimeout(resolve, 200));
      sse.stop();
      assert.deepEqual(sse.events.map((e) => `${e.type} ${e.name} ${e.payload.numAddedPartitions}`), ['PARTITION_ADD warehouse/ev2/landing 3']);
    });

    it('delivers to a webhook in order, retrying while the receiver fails or is down', async () => {
      await eventually('earlier events delivered', () => receiver.unique().some((e) => e.name === 'warehouse/ev2b'));
      receiver.received.length = 0;

      receiver.failing = true;
      await send('POST', '/catalog/warehouse/database/ev3');
      await createTable('ev3', 't');
      await eventually('a failed attempt', async () => (await attempts(node, 'warehouse/ev3')) > 0);
      await receiver.down();
      await addPartitions('ev3', 't', [1]);
      await addPartitions('ev3', 't', [2]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(receiver.unique().filter((e) => e.name.startsWith('warehouse/ev3')).length, 0, 'nothing delivered while down');
      receiver.failing = false;
      await receiver.up();
      await eventually('delivery after the receiver came back', () => receiver.unique().length >= 4);
      assert.deepEqual(
        receiver.unique().map((e) => `${e.type} ${e.name}`),
        ['DATABASE_CREATE warehouse/ev3', 'TABLE_CREATE warehouse/ev3/t', 'PARTITION_ADD warehouse/ev3/t', 'PARTITION_ADD warehouse/ev3/t'],
      );
      assert.ok((await attempts(node, 'warehouse/ev3')) > 1, 'the first event needed retries');
    });

    it('keeps undelivered events in the outbox across a server restart', async () => {
      await eventually('earlier events delivered', () => receiver.unique().some((e) => e.name === 'warehouse/ev3/t' && e.payload.added?.toString() === 'dateint=2'));
      receiver.received.length = 0;
      await receiver.down();
      await send('POST', '/catalog/warehouse/database/ev4');
      await createTable('ev4', 'landing');
      await addPartitions('ev4', 'landing', [20240301]);
      const config = node.platform.config;
      // An open event stream must not hold the server up: close ends it.
      const open = readEvents(await fetch(`${base}/events`));
      await node.close();
      open.stop();

      node = await startNode(config);
      base = `http://127.0.0.1:${(node.app.server.address() as { port: number }).port}/mds/v1`;
      await receiver.up();
      await eventually('delivery by the restarted server', () => receiver.unique().length >= 3);
      const delivered = receiver.unique();
      assert.deepEqual(delivered.map((e) => `${e.type} ${e.name}`), [
        'DATABASE_CREATE warehouse/ev4',
        'TABLE_CREATE warehouse/ev4/landing',
        'PARTITION_ADD warehouse/ev4/landing',
      ]);
      assert.deepEqual(delivered[2]!.payload.added, ['dateint=20240301']);
      assert.ok(delivered.every((e) => typeof e.id === 'string' && e.id.length > 0), 'every event carries an id for de-duplication');
    });
  });
}

for (const store of STORES) {
  describe(`webhook dead letters on ${store}`, () => {
    it('gives up on an event after webhookMaxAttempts and goes on with the next', async () => {
      const database = await createTestDatabase(store);
      const home = mkdtempSync(path.join(os.tmpdir(), 'quarry-events-'));
      const receiver = new Receiver(await freePort());
      await receiver.up();
      const node = await startNode(nodeConfig(database, home, [{ name: 'warehouse', connector: 'warehouse', webhooks: [{ url: receiver.url }] }], 3));
      try {
        receiver.failing = true;
        await node.platform.catalog.catalogs.createDatabase({ user: 'u' }, QualifiedName.ofDatabase('warehouse', 'dead'), {});
        await eventually('the delivery to be given up', async () => {
          const row = await node.platform.database.db.selectFrom('catalog_event_delivery').selectAll().executeTakeFirst();
          return row?.status === 'failed' && row.attempts === 3 && row.last_error === 'HTTP 500';
        });
        receiver.failing = false;
        await node.platform.catalog.catalogs.createDatabase({ user: 'u' }, QualifiedName.ofDatabase('warehouse', 'alive'), {});
        await eventually('the next event', () => receiver.received.length >= 1);
        assert.deepEqual(receiver.received.map((e) => `${e.type} ${e.name}`), ['DATABASE_CREATE warehouse/alive']);
      } finally {
        await node.close();
        await receiver.down();
        await database.drop();
        rmSync(home, { recursive: true, force: true });
      }
    });
  });
}

/** The highest number of delivery attempts among the webhook deliveries of events about `name`. */
async function attempts(node: Node, name: string): Promise<number> {
  const rows = await node.platform.database.db
    .selectFrom('catalog_event_delivery as d')
    .innerJoin('catalog_event as e', 'e.seq', 'd.event_seq')
    .select('d.attempts')
    .where('e.name', '=', name)
    .execute();
  return Math.max(0, ...rows.map((r) => r.attempts));
}
