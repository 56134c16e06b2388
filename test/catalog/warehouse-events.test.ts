import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CatalogEvent } from '../../src/catalog/events/catalog-event.ts';
import { DuckDbSession } from '../../src/table/duckdb-session.ts';
import { eq } from '../../src/table/expression.ts';
import { TableData } from '../../src/table/table-data.ts';
import { eventually, readEvents, Receiver, startNode, type Node } from '../support/catalog-events.ts';
import { STORES, createTestDatabase, type TestDatabase } from '../support/stores.ts';
import { testConfig } from '../support/test-config.ts';
import { freePort } from '../support/test-service.ts';

/**
 * The warehouse's Iceberg tables change through /iceberg/v1 and through Quarry's own writers, not
 * only through /mds/v1; every such change is an event of the `warehouse` catalog, written in the
 * change's transaction, and reaches SSE subscribers and webhooks with the same ids in commit order.
 */
const SCHEMA = {
  type: 'struct',
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'kind', type: 'string', required: false },
  ],
};

interface RestResponse {
  status: number;
  body: Record<string, unknown>;
}

for (const store of STORES) {
  describe(`warehouse changes made outside /mds/v1 are catalog events on ${store}`, () => {
    let database: TestDatabase;
    let home: string;
    let receiver: Receiver;
    let node: Node;
    let base: string;
    let session: DuckDbSession;

    before(async () => {
      database = await createTestDatabase(store);
      home = mkdtempSync(path.join(os.tmpdir(), 'quarry-wh-events-'));
      receiver = new Receiver(await freePort());
      await receiver.up();
      node = await startNode(
        testConfig(home, database.config, {
          catalogs: [{ name: 'warehouse', connector: 'warehouse', webhooks: [{ name: 'scheduler', url: receiver.url }] }],
          catalog: { webhookRetryDelayMs: 20, webhookMaxRetryDelayMs: 200, webhookMaxAttempts: 100_000, eventPollMs: 50 },
        }),
      );
      base = `http://127.0.0.1:${(node.app.server.address() as { port: number }).port}`;
      session = await DuckDbSession.open({ memoryLimit: '256MB' });
    });
    after(async () => {
      session?.close();
      await node?.close();
      await receiver?.down();
      await database?.drop();
      rmSync(home, { recursive: true, force: true });
    });

    const rest = async (method: string, url: string, body?: unknown): Promise<RestResponse> => {
      const res = await fetch(`${base}/iceberg/v1${url}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    };
    const ok = async (method: string, url: string, body?: unknown) => {
      const res = await rest(method, url, body);
      assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const setProperty = (name: string, key: string, value: string) => ({
      identifier: { namespace: ['fed'], name },
      requirements: [],
      updates: [{ action: 'set-properties', updates: { [key]: value } }],
    });
    const newEvents = async (after: number) => node.platform.catalog.eventLog.readAfter(after, 1000);

    it('announces REST, writer and transaction changes over SSE and webhooks, and nothing for failed commits', async () => {
      const stream = await fetch(`${base}/mds/v1/events`);
      const sse = readEvents(stream);
      await ok('POST', '/namespaces', { namespace: ['fed'], properties: { owner: 'ana' } });
      await ok('POST', '/namespaces/fed/properties', { updates: { team: 'data' }, removals: ['owner'] });
      const created = await ok('POST', '/namespaces/fed/tables', {
        name: 'Clicks',
        schema: SCHEMA,
        'partition-spec': { fields: [{ 'source-id': 2, name: 'kind', transform: 'identity' }] },
      });

      // Quarry's own writer appends through the same warehouse: an update and the partitions it wrote.
      const table = await node.platform.icebergCatalog.warehouse.loadTable({ namespace: ['fed'], name: 'Clicks' });
      await new TableData(session).appendRows(table, [
        { id: 1, kind: 'a' },
        { id: 2, kind: 'b' },
        { id: 3, kind: 'a' },
        { id: 4, kind: null },
      ]);
      const appended = table.metadataLocation();
      // Event names are /mds/v1's names (lower case, Hive's partition names): a scheduler can look up
      // what an event announced.
      const listed = await fetch(`${base}/mds/v1/partition/catalog/warehouse/database/fed/table/clicks/keys`).then((r) => r.json());
      assert.deepEqual(listed, ['kind=__HIVE_DEFAULT_PARTITION__', 'kind=a', 'kind=b']);
      // Emptying a partition announces its deletion; removing some of a partition's files does not.
      await table.newDelete().deleteByPartition(eq('kind', 'b')).commit();
      await new TableData(session).appendRows(table, [{ id: 5, kind: 'a' }]);
      const olderA = (await table.dataFiles()).find((f) => f.partition[0] === 'a' && f.recordCount === 2)!;
      await table.newDelete().deleteFile(olderA).commit();

      await ok('POST', '/namespaces/fed/tables/Clicks', setProperty('Clicks', 'k', 'v'));
      const failed = await rest('POST', '/namespaces/fed/tables/Clicks', {
        ...setProperty('Clicks', 'k', 'w'),
        requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 7 }],
      });
      assert.equal(failed.status, 409);
      await ok('POST', '/namespaces/fed/tables', { name: 'other', schema: SCHEMA });
      await ok('POST', '/transactions/commit', { 'table-changes': [setProperty('Clicks', 'batch', '1'), setProperty('other', 'batch', '1')] });
      const refused = await rest('POST', '/transactions/commit', {
        'table-changes': [setProperty('Clicks', 'batch', '2'), { ...setProperty('other', 'batch', '2'), requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 7 }] }],
      });
      assert.equal(refused.status, 409, 'one failed requirement refuses the whole transaction, and its events');
      await ok('POST', '/tables/rename', { source: { namespace: ['fed'], name: 'Clicks' }, destination: { namespace: ['fed'], name: 'clicks2' } });
      await ok('DELETE', '/namespaces/fed/tables/clicks2');
      await ok('DELETE', '/namespaces/fed/tables/other');
      await ok('DELETE', '/namespaces/fed');

      const expected = [
        'DATABASE_CREATE warehouse/fed',
        'DATABASE_UPDATE warehouse/fed',
        'TABLE_CREATE warehouse/fed/clicks',
        'TABLE_UPDATE warehouse/fed/clicks',
        'PARTITION_ADD warehouse/fed/clicks',
        'TABLE_UPDATE warehouse/fed/clicks', // kind=b deleted
        'PARTITION_DELETE warehouse/fed/clicks',
        'TABLE_UPDATE warehouse/fed/clicks', // id 5 into kind=a
        'PARTITION_ADD warehouse/fed/clicks',
        'TABLE_UPDATE warehouse/fed/clicks', // one of kind=a's two files removed
        'TABLE_UPDATE warehouse/fed/clicks',
        'TABLE_CREATE warehouse/fed/other',
        'TABLE_UPDATE warehouse/fed/clicks',
        'TABLE_UPDATE warehouse/fed/other',
        'TABLE_RENAME warehouse/fed/clicks',
        'TABLE_DELETE warehouse/fed/clicks2',
        'TABLE_DELETE warehouse/fed/other',
        'DATABASE_DELETE warehouse/fed',
      ];
      await eventually('the SSE events', () => sse.events.length >= expected.length);
      await eventually('the webhook deliveries', () => receiver.unique().length >= expected.length);
      sse.stop();
      assert.deepEqual(sse.events.map((e) => `${e.type} ${e.name}`), expected);
      assert.deepEqual(receiver.unique().map((e) => e.id), sse.events.map((e) => e.id), 'the webhook got the same events, in the same order');
      assert.ok(sse.events.every((e) => e.catalog === 'warehouse' && e.user === 'iceberg-rest'));

      const byType = (type: string) => sse.events.filter((e) => e.type === type);
      assert.deepEqual(byType('DATABASE_CREATE')[0].payload.database, { name: { qualifiedName: 'warehouse/fed', catalogName: 'warehouse', databaseName: 'fed' }, metadata: { owner: 'ana' } });
      assert.deepEqual(byType('TABLE_CREATE')[0].payload.table, {
        name: { qualifiedName: 'warehouse/fed/clicks', catalogName: 'warehouse', databaseName: 'fed', tableName: 'clicks' },
        metadata: { table_type: 'ICEBERG', metadata_location: created['metadata-location'] },
      });
      const [append] = byType('TABLE_UPDATE');
      assert.deepEqual((append.payload.previous as { metadata: unknown }).metadata, { table_type: 'ICEBERG', metadata_location: created['metadata-location'] });
      assert.deepEqual((append.payload.patch as { value: string }[])[0].value, appended);
      assert.equal((append.payload.snapshot as { summary: { operation: string } }).summary.operation, 'append');
      assert.deepEqual(byType('PARTITION_ADD')[0].payload, {
        added: ['kind=__HIVE_DEFAULT_PARTITION__', 'kind=a', 'kind=b'],
        updated: [],
        numAddedPartitions: 3,
        numUpdatedPartitions: 0,
      });
      assert.deepEqual(byType('PARTITION_DELETE')[0].payload, { deleted: ['kind=b'], numDeletedPartitions: 1 });
      assert.equal((byType('TABLE_UPDATE')[1].payload.snapshot as { summary: { operation: string } }).summary.operation, 'delete');
      assert.deepEqual(byType('PARTITION_ADD')[1].payload.added, ['kind=a']);
      assert.equal(byType('TABLE_UPDATE')[4].payload.snapshot, undefined, 'a property change adds no snapshot');
      assert.deepEqual(byType('TABLE_RENAME')[0].payload.current, { qualifiedName: 'warehouse/fed/clicks2', catalogName: 'warehouse', databaseName: 'fed', tableName: 'clicks2' });
    });

    it('records one update per concurrent commit, chained from pointer to pointer with none lost', async () => {
      await ok('POST', '/namespaces', { namespace: ['fed'] });
      const created = await ok('POST', '/namespaces/fed/tables', { name: 'busy', schema: SCHEMA });
      const from = await node.platform.catalog.eventLog.lastSeq();
      const writers = 6;
      // Each commit touches its own property, so every one succeeds after server-side retries.
      await Promise.all(Array.from({ length: writers }, (_, i) => ok('POST', '/namespaces/fed/tables/busy', setProperty('busy', `w${i}`, 'x'))));
      const final = await ok('GET', '/namespaces/fed/tables/busy');

      const updates = (await newEvents(from)).filter((e: CatalogEvent) => e.type === 'TABLE_UPDATE');
      assert.equal(updates.length, writers);
      let location = created['metadata-location'];
      for (const event of updates) {
        const previous = (event.payload.previous as { metadata: { metadata_location: string } }).metadata.metadata_location;
        assert.equal(previous, location, `event ${event.seq} starts where the one before ended`);
        location = (event.payload.patch as { value: string }[])[0].value;
      }
      assert.equal(location, final['metadata-location'], 'the last event ends at the current pointer');
    });
  });
}
