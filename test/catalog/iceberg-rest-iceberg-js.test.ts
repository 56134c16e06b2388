import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IcebergError, IcebergRestCatalog } from 'iceberg-js';
import { STORES } from '../support/stores.ts';
import { openRestServer, type RestServer } from './iceberg-rest-support.ts';

/** iceberg-js (npm): a second, independent REST client, here with the warehouse name as `{prefix}`. */
for (const store of STORES) {
  describe(`Iceberg REST catalog with iceberg-js (${store})`, () => {
    let s: RestServer;
    before(async () => {
      s = await openRestServer(store);
    });
    after(() => s.close());

    it('manages namespaces and tables through the prefixed routes, with spec errors', async () => {
      const catalog = new IcebergRestCatalog({ baseUrl: s.uri, warehouse: 'quarry' });
      assert.deepEqual((await catalog.loadConfig()).overrides, { warehouse: s.t.config.warehouse });

      await catalog.createNamespace({ namespace: ['js'] }, { properties: { owner: 'node' } });
      const duplicate = await catalog.createNamespace({ namespace: ['js'] }).catch((e: unknown) => e);
      assert.ok(duplicate instanceof IcebergError);
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.icebergType, 'AlreadyExistsException');
      assert.deepEqual(await catalog.updateNamespaceProperties({ namespace: ['js'] }, { updates: { tier: 'gold' }, removals: ['owner'] }), { updated: ['tier'], removed: ['owner'], missing: [] });
      assert.deepEqual((await catalog.loadNamespaceMetadata({ namespace: ['js'] })).properties, { location: `${s.t.config.warehouse.replace(/\/+$/, '')}/js.db`, tier: 'gold' });

      const metadata = await catalog.createTable(
        { namespace: ['js'] },
        {
          name: 'events',
          schema: { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }, { id: 2, name: 'ts', type: 'timestamptz', required: false }] },
          'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'ts_day', transform: 'day' }] },
        },
      );
      assert.equal(metadata['format-version'], 2);
      assert.deepEqual((await catalog.listTables({ namespace: ['js'] })).identifiers, [{ namespace: ['js'], name: 'events' }]);
      assert.equal(await catalog.tableExists({ namespace: ['js'], name: 'events' }), true);
      assert.equal(await catalog.tableExists({ namespace: ['js'], name: 'nope' }), false);

      const id = { namespace: ['js'], name: 'events' };
      const committed = await catalog.commitTable(id, {
        requirements: [{ type: 'assert-table-uuid', uuid: metadata['table-uuid'] }],
        updates: [{ action: 'set-properties', updates: { source: 'iceberg-js' } }],
      });
      assert.equal(committed.metadata.properties?.source, 'iceberg-js');
      const conflict = await catalog.commitTable(id, { requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 3 }], updates: [] }).catch((e: unknown) => e);
      assert.ok(conflict instanceof IcebergError);
      assert.equal(conflict.status, 409);
      assert.equal(conflict.icebergType, 'CommitFailedException');

      const first = await catalog.loadTableResult(id);
      assert.ok(first?.etag);
      assert.equal(await catalog.loadTable(id, { ifNoneMatch: first.etag }), null, '304 when unchanged');

      // The table is Quarry's: the warehouse loads it under the same name.
      const table = await s.warehouse.loadTable(id);
      assert.equal(table.metadata().properties.source, 'iceberg-js');

      await catalog.renameTable({ source: id, destination: { namespace: ['js'], name: 'renamed' } });
      await catalog.dropTable({ namespace: ['js'], name: 'renamed' }, { purge: true });
      const missing = await catalog.loadTable({ namespace: ['js'], name: 'renamed' }).catch((e: unknown) => e);
      assert.ok(missing instanceof IcebergError);
      assert.equal(missing.icebergType, 'NoSuchTableException');
      await catalog.dropNamespace({ namespace: ['js'] });
      assert.equal(await catalog.namespaceExists({ namespace: ['js'] }), false);
    });

    it('refuses a prefix that names another warehouse', async () => {
      const other = new IcebergRestCatalog({ baseUrl: s.uri, warehouse: 'elsewhere' });
      const error = await other.listNamespaces().catch((e: unknown) => e);
      assert.ok(error instanceof IcebergError);
      assert.equal(error.status, 404);
      assert.equal(error.icebergType, 'NoSuchWarehouseException');
      const plain = new IcebergRestCatalog({ baseUrl: s.uri });
      assert.ok(Array.isArray((await plain.listNamespaces()).namespaces));
    });
  });
}
