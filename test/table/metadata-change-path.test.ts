import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IcebergRestCatalog } from '../../src/catalog/iceberg-rest/iceberg-rest-catalog.ts';
import { metadataToJson, type TableMetadata } from '../../src/table/table-metadata.ts';
import type { TableUpdate } from '../../src/table/table-update.ts';
import { parseLosslessJson } from '../../src/table/lossless-json.ts';
import type { Table } from '../../src/table/table.ts';
import { STORES } from '../support/stores.ts';
import { EVENTS_TABLE, openTestWarehouse, type TestWarehouse } from './warehouse-support.ts';

/**
 * One path for every metadata change: what `quarry table` and Quarry's writers do to a table and
 * what an Iceberg REST client commits for the same change give the same metadata, because both are
 * updates applied by the one builder. Each case starts both paths from one metadata file (the REST
 * side is that file registered under a second name) and compares the results, leaving out only what
 * the clock decides (`last-updated-ms`) and which file came before (`metadata-log`).
 */
function comparable(md: TableMetadata, keepTime = false): unknown {
  const json = parseLosslessJson(metadataToJson(md)) as Record<string, unknown>;
  delete json['metadata-log'];
  if (!keepTime) delete json['last-updated-ms'];
  return json;
}

/** Rows for the table after its schema change (kind renamed to event_kind, note added). */
const rows = (from: number, day: number) =>
  Array.from({ length: 4 }, (_, i) => ({ id: from + i, ts: `2024-02-0${day}T0${i}:00:00Z`, event_kind: `k${i}`, value: from + i }));

for (const store of STORES) {
  describe(`one metadata change path: REST commits and quarry table agree (${store})`, () => {
    let t: TestWarehouse;
    let catalog: IcebergRestCatalog;
    let table: Table;
    let twins = 0;
    before(async () => {
      t = await openTestWarehouse(store);
      catalog = new IcebergRestCatalog(t.warehouse);
      table = await t.warehouse.createTable({ namespace: ['path'], name: 'local' }, EVENTS_TABLE);
    });
    after(() => t.close());

    /** The REST side: the local table's current metadata file under another name, then `updates` committed to it. */
    async function restTwin(updates: TableUpdate[]): Promise<TableMetadata> {
      const name = `rest_${++twins}`;
      await catalog.registerTable(['path'], name, table.metadataLocation());
      const state = await catalog.commitTable({ id: { namespace: ['path'], name }, requirements: [{ type: 'assert-table-uuid', uuid: table.metadata().tableUuid }], updates });
      return state.metadata;
    }

    it('creates the same table from a create request as from quarry table create', async () => {
      const created = await catalog.createTable(['path'], {
        name: 'created',
        // A client's own field ids: the catalog assigns fresh ones, as quarry table does.
        schema: {
          type: 'struct',
          fields: [
            { id: 10, name: 'id', type: 'long', required: true },
            { id: 11, name: 'ts', type: 'timestamptz', required: false },
            { id: 12, name: 'kind', type: 'string', required: false },
            { id: 13, name: 'value', type: 'double', required: false },
          ],
        },
        'partition-spec': { fields: [{ 'source-id': 11, name: 'ts_day', transform: 'day' }] },
        'write-order': { fields: [{ 'source-id': 10, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
      });
      const local = comparable(table.metadata()) as Record<string, unknown>;
      const rest = comparable(created.metadata) as Record<string, unknown>;
      for (const json of [local, rest]) {
        delete json['table-uuid'];
        delete json.location;
      }
      assert.deepEqual(rest, local);
    });

    it('sets and removes properties alike', async () => {
      await table.updateProperties({ owner: 'ana', purpose: 'test' });
      const rest = await restTwin([
        { action: 'set-properties', updates: { tier: 'gold' } },
        { action: 'remove-properties', removals: ['purpose'] },
      ]);
      await table.updateProperties({ tier: 'gold' }, ['purpose']);
      assert.deepEqual(comparable(rest), comparable(table.metadata()));
    });

    it('evolves the schema alike', async () => {
      const schema = table.schema().toJson() as { fields: Record<string, unknown>[] };
      const evolved = {
        type: 'struct',
        fields: [...schema.fields.map((f) => (f.name === 'kind' ? { ...f, name: 'event_kind' } : f)), { id: 5, name: 'note', type: 'string', required: false }],
      };
      const rest = await restTwin([
        { action: 'add-schema', schema: evolved, 'last-column-id': 5 },
        { action: 'set-current-schema', 'schema-id': -1 },
      ]);
      await table.updateSchema().renameColumn('kind', 'event_kind').addColumn('note', 'string').commit();
      assert.deepEqual(comparable(rest), comparable(table.metadata()));
    });

    it('commits a writer’s snapshot as add-snapshot and set-snapshot-ref main would', async () => {
      const base = table.metadataLocation();
      const { snapshot } = await t.data.appendRows(table, rows(0, 1));
      const name = `rest_${++twins}`;
      await catalog.registerTable(['path'], name, base);
      const rest = await catalog.commitTable({
        id: { namespace: ['path'], name },
        requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
        updates: [
          { action: 'add-snapshot', snapshot: { 'snapshot-id': snapshot.snapshotId, 'sequence-number': snapshot.sequenceNumber, 'timestamp-ms': snapshot.timestampMs, 'manifest-list': snapshot.manifestList, summary: { ...snapshot.summary }, 'schema-id': snapshot.schemaId } },
          { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshot.snapshotId },
        ],
      });
      assert.deepEqual(comparable(rest.metadata, true), comparable(table.metadata(), true), 'the snapshot’s time is the change’s time on both paths');
    });

    it('expires snapshots alike: the log keeps only what follows the last expired snapshot, and its statistics go with it', async () => {
      await t.data.appendRows(table, rows(10, 2));
      await t.data.appendRows(table, rows(20, 3));
      const [first, second] = table.history();
      // The oldest snapshot is tagged (so it stays), the middle one has a statistics file: both set on the table itself first.
      const tagged = await catalog.commitTable({
        id: { namespace: ['path'], name: 'local' },
        requirements: [],
        updates: [
          { action: 'set-snapshot-ref', 'ref-name': 'v1', type: 'tag', 'snapshot-id': first.snapshotId },
          { action: 'set-statistics', statistics: { 'snapshot-id': second.snapshotId, 'statistics-path': `${table.location()}/metadata/stats.puffin`, 'file-size-in-bytes': 1, 'file-footer-size-in-bytes': 1, 'blob-metadata': [] } },
        ],
      });
      await table.refresh();
      assert.equal(table.metadataLocation(), tagged.metadataLocation);
      const rest = await restTwin([{ action: 'remove-snapshots', 'snapshot-ids': [second.snapshotId] }]);
      const expired = await table.expireSnapshots().expireOlderThan(Date.now() + 1).commit();
      assert.deepEqual(expired.expiredSnapshotIds, [second.snapshotId]);
      assert.deepEqual(table.metadata().snapshotLog.map((e) => e.snapshotId), [table.metadata().currentSnapshotId], 'history before the expired snapshot is gone');
      assert.deepEqual(table.metadata().extra.statistics, []);
      assert.deepEqual(comparable(rest), comparable(table.metadata()));
    });
  });
}
