import type { Kysely, Migration } from 'kysely';

/**
 * The event pipeline: declared streams with their counters, the embedded event log (one row per
 * appended batch, offsets counted per event), the log's per-partition heads, and Idempotency-Key
 * records of the collector.
 */
export const migration0601Pipeline: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('pipeline_stream')
      .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull())
      .addColumn('accepted', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('rejected', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('pipeline_log_head')
      .addColumn('stream', 'varchar(255)', (c) => c.notNull())
      .addColumn('partition', 'integer', (c) => c.notNull())
      .addColumn('next_offset', 'bigint', (c) => c.notNull())
      .addColumn('retained_bytes', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('pipeline_log_head_pk', ['stream', 'partition'])
      .execute();
    await db.schema
      .createTable('pipeline_log_batch')
      .addColumn('stream', 'varchar(255)', (c) => c.notNull())
      .addColumn('partition', 'integer', (c) => c.notNull())
      .addColumn('first_offset', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('bytes', 'bigint', (c) => c.notNull())
      .addColumn('appended_at', 'bigint', (c) => c.notNull())
      .addColumn('records', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('pipeline_log_batch_pk', ['stream', 'partition', 'first_offset'])
      .execute();
    await db.schema
      .createTable('pipeline_idempotency')
      .addColumn('stream', 'varchar(255)', (c) => c.notNull())
      .addColumn('key', 'varchar(255)', (c) => c.notNull())
      .addColumn('response', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('pipeline_idempotency_pk', ['stream', 'key'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('pipeline_idempotency').execute();
    await db.schema.dropTable('pipeline_log_batch').execute();
    await db.schema.dropTable('pipeline_log_head').execute();
    await db.schema.dropTable('pipeline_stream').execute();
  },
};
