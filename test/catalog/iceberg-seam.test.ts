import { testConfig } from '../support/test-config.ts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openCatalogArea, type CatalogArea } from '../../src/catalog/catalog-area.ts';
import type { TableInfo } from '../../src/catalog/catalog-model.ts';
import type { IcebergTableSupport } from '../../src/catalog/connectors/warehouse/iceberg-table-support.ts';
import { QualifiedName } from '../../src/catalog/qualified-name.ts';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { PreconditionError } from '../../src/errors/precondition-error.ts';
import { STORES, createTestDatabase, type TestDatabase } from '../support/stores.ts';

/**
 * The seam the Iceberg half plugs into, exercised with a stand-in that keeps "metadata files" in a
 * map: Iceberg tables are ordinary rows whose reads, writes and partitions go through the seam.
 */
class StandInIceberg implements IcebergTableSupport {
  readonly files = new Map<string, { snapshot: string; fields: TableInfo['fields'] }>();

  async prepareCreate(_write: unknown, table: TableInfo): Promise<TableInfo> {
    const file = this.files.get(table.metadata.metadata_location ?? '');
    if (!file) throw new Error(`no metadata file ${table.metadata.metadata_location}`);
    return { ...table, fields: file.fields };
  }

  async prepareUpdate(_write: unknown, stored: TableInfo, requested: TableInfo): Promise<TableInfo> {
    if (requested.metadata.previous_metadata_location !== stored.metadata.metadata_location) {
      throw new PreconditionError(`previous_metadata_location ${requested.metadata.previous_metadata_location} is not ${stored.metadata.metadata_location}`);
    }
    return { ...stored, metadata: { ...stored.metadata, ...requested.metadata } };
  }

  async describe(stored: TableInfo): Promise<TableInfo> {
    const file = this.files.get(stored.metadata.metadata_location!)!;
    return { ...stored, fields: file.fields, metadata: { ...stored.metadata, current_snapshot_id: file.snapshot } };
  }

  async listPartitions() {
    return [];
  }

  async countPartitions() {
    return 42;
  }
}

for (const store of STORES) {
  describe(`the Iceberg seam of the warehouse connector on ${store}`, () => {
    let testDb: TestDatabase;
    let database: Database;
    let area: CatalogArea;
    let bare: CatalogArea;
    const iceberg = new StandInIceberg();
    const name = QualifiedName.ofTable('warehouse', 'lake', 'events');
    const context = { user: 'tester' };

    before(async () => {
      testDb = await createTestDatabase(store);
      database = await openDatabase(testDb.config);
      const config = testConfig('/tmp', testDb.config, { warehouse: 'file:///tmp/w' });
      area = openCatalogArea(config, database, { iceberg });
      bare = openCatalogArea(config, database);
      await area.catalogs.createDatabase(context, name, {});
      iceberg.files.set('s3://w/v1.json', { snapshot: '1', fields: [{ name: 'id', type: 'bigint' }] });
      iceberg.files.set('s3://w/v2.json', { snapshot: '2', fields: [{ name: 'id', type: 'bigint' }, { name: 'day', type: 'date' }] });
    });
    after(async () => {
      await area?.close();
      await bare?.close();
      await database?.close();
      await testDb?.drop();
    });

    it('creates, reads and commits Iceberg tables through the seam', async () => {
      const created = await area.catalogs.createTable(context, name, {
        name: name.toJSON(),
        metadata: { table_type: 'ICEBERG', metadata_location: 's3://w/v1.json' },
      });
      assert.deepEqual(created.fields?.map((f) => f.name), ['id']);
      const read = await area.catalogs.getTable(name, { includeInfo: true, includeDefinitionMetadata: false, includeDataMetadata: false, includeInfoDetails: false, includeMetadataLocationOnly: false });
      assert.equal(read.metadata?.current_snapshot_id, '1');
      await area.catalogs.updateTable(context, name, { metadata: { metadata_location: 's3://w/v2.json', previous_metadata_location: 's3://w/v1.json' } });
      const after = await area.catalogs.getTable(name, { includeInfo: true, includeDefinitionMetadata: false, includeDataMetadata: false, includeInfoDetails: false, includeMetadataLocationOnly: false });
      assert.equal(after.metadata?.metadata_location, 's3://w/v2.json');
      assert.equal(after.metadata?.current_snapshot_id, '2');
      await assert.rejects(
        area.catalogs.updateTable(context, name, { metadata: { metadata_location: 's3://w/v3.json', previous_metadata_location: 's3://w/v1.json' } }),
        PreconditionError,
      );
      assert.equal(await area.partitions.count(name), 42);
      const events = await area.eventLog.readAfter(0, 100);
      assert.deepEqual(events.map((e) => e.type), ['DATABASE_CREATE', 'TABLE_CREATE', 'TABLE_UPDATE']);
    });

    it('refuses Iceberg pointer parameters on other tables, and Iceberg writes without support', async () => {
      const plain = name.withTable('plain');
      await area.catalogs.createTable(context, plain, { name: plain.toJSON() });
      await assert.rejects(area.catalogs.updateTable(context, plain, { metadata: { metadata_location: 's3://w/v1.json' } }), /is not an Iceberg table/);
      const other = name.withTable('other');
      await assert.rejects(
        bare.catalogs.createTable(context, other, { name: other.toJSON(), metadata: { table_type: 'ICEBERG', metadata_location: 's3://w/v1.json' } }),
        /cannot create Iceberg tables yet/,
      );
      const stored = await bare.catalogs.getTable(name, { includeInfo: true, includeDefinitionMetadata: false, includeDataMetadata: false, includeInfoDetails: false, includeMetadataLocationOnly: false });
      assert.equal(stored.metadata?.metadata_location, 's3://w/v2.json', 'the pointer is readable without the Iceberg half');
    });
  });
}
