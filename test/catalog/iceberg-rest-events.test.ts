import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IcebergCatalogEvent } from '../../src/catalog/iceberg-rest/iceberg-catalog-events.ts';
import { IcebergRestCatalog } from '../../src/catalog/iceberg-rest/iceberg-rest-catalog.ts';
import { STORES } from '../support/stores.ts';
import { openTestWarehouse, type TestWarehouse } from '../table/warehouse-support.ts';

const SCHEMA = { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }] };

for (const store of STORES) {
  describe(`Iceberg REST catalog events (${store})`, () => {
    let t: TestWarehouse;
    before(async () => {
      t = await openTestWarehouse(store);
    });
    after(() => t.close());

    it('emits one event per committed change, in order, and none for failed or staged ones', async () => {
      const events: IcebergCatalogEvent[] = [];
      const catalog = new IcebergRestCatalog(t.warehouse, t.database, { events: { emit: (e) => void events.push(e) } });
      await catalog.createNamespace(['ev'], { owner: 'ana' });
      await catalog.updateNamespaceProperties(['ev'], ['owner'], { team: 'data' });
      const created = await catalog.createTable(['ev'], { name: 'a', schema: SCHEMA });
      await catalog.createTable(['ev'], { name: 'staged', schema: SCHEMA, 'stage-create': true });
      const updated = await catalog.commitTable({ id: { namespace: ['ev'], name: 'a' }, requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] });
      await assert.rejects(catalog.commitTable({ id: { namespace: ['ev'], name: 'a' }, requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 5 }], updates: [] }));
      await catalog.renameTable({ namespace: ['ev'], name: 'a' }, { namespace: ['ev'], name: 'b' });
      await catalog.dropTable({ namespace: ['ev'], name: 'b' }, false);
      await catalog.dropNamespace(['ev']);

      assert.deepEqual(events, [
        { type: 'namespace.created', catalog: 'quarry', namespace: ['ev'], properties: { owner: 'ana' } },
        { type: 'namespace.updated', catalog: 'quarry', namespace: ['ev'], updated: ['team'], removed: ['owner'] },
        { type: 'table.created', catalog: 'quarry', table: { namespace: ['ev'], name: 'a' }, metadataLocation: created.metadataLocation, registered: false },
        { type: 'table.updated', catalog: 'quarry', table: { namespace: ['ev'], name: 'a' }, previousMetadataLocation: created.metadataLocation, metadataLocation: updated.metadataLocation },
        { type: 'table.renamed', catalog: 'quarry', from: { namespace: ['ev'], name: 'a' }, to: { namespace: ['ev'], name: 'b' } },
        { type: 'table.dropped', catalog: 'quarry', table: { namespace: ['ev'], name: 'b' }, metadataLocation: updated.metadataLocation, purged: false },
        { type: 'namespace.dropped', catalog: 'quarry', namespace: ['ev'] },
      ]);
    });

    it('a failing subscriber is reported and never fails or undoes the change', async () => {
      const failures: string[] = [];
      const catalog = new IcebergRestCatalog(t.warehouse, t.database, {
        events: { emit: async () => Promise.reject(new Error('subscriber down')) },
        onEventError: (error, event) => failures.push(`${event.type}: ${(error as Error).message}`),
      });
      await catalog.createNamespace(['flaky']);
      await catalog.createTable(['flaky'], { name: 't', schema: SCHEMA });
      assert.ok(await t.warehouse.tableExists({ namespace: ['flaky'], name: 't' }));
      assert.deepEqual(failures, ['namespace.created: subscriber down', 'table.created: subscriber down']);
    });
  });
}
