import { PostgresAdapter, sql, type ColumnDataType, type Expression, type Kysely, type Migration } from 'kysely';

/**
 * The catalog: databases, tables and partitions of `warehouse`-connector catalogs, user metadata
 * (definition by name, data by URI), tags, and the event log with its webhook outbox.
 *
 * Partition values get a row each (partition, key position, text, number) with indexes that lead
 * with (table, key, value): equality, ranges, IN lists and LIKE prefixes on any key are index range
 * scans, on SQLite and PostgreSQL alike, however many partitions a table has. On PostgreSQL the text
 * uses the "C" collation so that ordering and LIKE prefixes follow code points, as in SQLite and in
 * the in-memory evaluator.
 */
export const catalogMigration0401: Migration = {
  async up(db: Kysely<unknown>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    const id = (type: 'integer' | 'bigint'): ColumnDataType | Expression<unknown> =>
      postgres ? (type === 'bigint' ? 'bigserial' : 'serial') : 'integer';
    const binaryText = postgres ? sql`text collate "C"` : sql`text`;

    await db.schema
      .createTable('catalog_database')
      .addColumn('id', id('integer'), (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('catalog', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('uri', 'text')
      .addColumn('params', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('catalog_database_name_unique', ['catalog', 'name'])
      .execute();

    await db.schema
      .createTable('catalog_table')
      .addColumn('id', id('integer'), (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('database_id', 'integer', (c) => c.notNull().references('catalog_database.id'))
      .addColumn('catalog', 'text', (c) => c.notNull())
      .addColumn('database_name', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('table_type', 'text')
      .addColumn('fields', 'text', (c) => c.notNull())
      .addColumn('serde', 'text')
      .addColumn('params', 'text', (c) => c.notNull())
      .addColumn('view', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('catalog_table_name_unique', ['catalog', 'database_name', 'name'])
      .execute();
    await db.schema.createIndex('catalog_table_database').on('catalog_table').column('database_id').execute();

    await db.schema
      .createTable('catalog_partition')
      .addColumn('id', id('bigint'), (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('table_id', 'integer', (c) => c.notNull().references('catalog_table.id').onDelete('cascade'))
      .addColumn('name', binaryText, (c) => c.notNull())
      .addColumn('uri', 'text')
      .addColumn('serde', 'text')
      .addColumn('params', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('catalog_partition_name_unique', ['table_id', 'name'])
      .execute();

    await db.schema
      .createTable('catalog_partition_value')
      .addColumn('partition_id', 'bigint', (c) => c.notNull().references('catalog_partition.id').onDelete('cascade'))
      .addColumn('table_id', 'integer', (c) => c.notNull())
      .addColumn('key_pos', 'integer', (c) => c.notNull())
      .addColumn('str_value', binaryText, (c) => c.notNull())
      .addColumn('num_value', 'double precision')
      .addPrimaryKeyConstraint('catalog_partition_value_pk', ['partition_id', 'key_pos'])
      .execute();
    // partition_id is the last column so a filter is answered from the index alone.
    await db.schema
      .createIndex('catalog_partition_value_text')
      .on('catalog_partition_value')
      .columns(['table_id', 'key_pos', 'str_value', 'partition_id'])
      .execute();
    await db.schema
      .createIndex('catalog_partition_value_number')
      .on('catalog_partition_value')
      .columns(['table_id', 'key_pos', 'num_value', 'partition_id'])
      .execute();

    await db.schema
      .createTable('catalog_definition_metadata')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('catalog', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('owner', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('catalog_definition_metadata_owner').on('catalog_definition_metadata').column('owner').execute();

    await db.schema
      .createTable('catalog_data_metadata')
      .addColumn('uri', 'text', (c) => c.primaryKey())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .execute();

    await db.schema
      .createTable('catalog_tag')
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('tag', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('catalog', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('catalog_tag_pk', ['name', 'tag'])
      .execute();
    await db.schema.createIndex('catalog_tag_tag').on('catalog_tag').columns(['tag', 'name']).execute();

    await db.schema
      .createTable('catalog_event')
      .addColumn('seq', 'bigint', (c) => c.primaryKey())
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('catalog', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('catalog_event_created').on('catalog_event').column('created_at').execute();

    await db.schema
      .createTable('catalog_event_sequence')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('last_seq', 'bigint', (c) => c.notNull())
      .execute();
    await sql`insert into catalog_event_sequence (id, last_seq) values (1, 0)`.execute(db);

    await db.schema
      .createTable('catalog_event_delivery')
      .addColumn('webhook', 'text', (c) => c.notNull())
      .addColumn('event_seq', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('claimed_until', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('delivered_at', 'bigint')
      .addPrimaryKeyConstraint('catalog_event_delivery_pk', ['webhook', 'event_seq'])
      .execute();
    await db.schema
      .createIndex('catalog_event_delivery_pending')
      .on('catalog_event_delivery')
      .columns(['status', 'webhook', 'event_seq'])
      .execute();
  },

  async down(db: Kysely<unknown>) {
    for (const table of [
      'catalog_event_delivery', 'catalog_event_sequence', 'catalog_event', 'catalog_tag', 'catalog_data_metadata',
      'catalog_definition_metadata', 'catalog_partition_value', 'catalog_partition', 'catalog_table', 'catalog_database',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};
