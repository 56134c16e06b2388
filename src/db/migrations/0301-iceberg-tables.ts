import type { Kysely, Migration } from 'kysely';

/**
 * Iceberg table pointers and namespaces (warehouse). Column names, types and keys follow PyIceberg's
 * SqlCatalog (and Iceberg's JdbcCatalog), so either can use this database as its catalog.
 */
export const migration0301IcebergTables: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('iceberg_tables')
      .addColumn('catalog_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('table_namespace', 'varchar(255)', (c) => c.notNull())
      .addColumn('table_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('metadata_location', 'varchar(1000)')
      .addColumn('previous_metadata_location', 'varchar(1000)')
      .addColumn('iceberg_type', 'varchar(5)')
      .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('iceberg_tables_pk', ['catalog_name', 'table_namespace', 'table_name'])
      .execute();
    await db.schema
      .createTable('iceberg_namespace_properties')
      .addColumn('catalog_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('namespace', 'varchar(255)', (c) => c.notNull())
      .addColumn('property_key', 'varchar(255)', (c) => c.notNull())
      .addColumn('property_value', 'varchar(1000)', (c) => c.notNull())
      .addPrimaryKeyConstraint('iceberg_namespace_properties_pk', ['catalog_name', 'namespace', 'property_key'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('iceberg_namespace_properties').execute();
    await db.schema.dropTable('iceberg_tables').execute();
  },
};
