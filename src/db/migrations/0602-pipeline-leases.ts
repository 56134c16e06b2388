import type { Kysely, Migration } from 'kysely';

/**
 * Sharing a stream's log partitions among sink workers: each worker's heartbeat, and per partition
 * the worker that holds it and until when (src/pipeline/partition-leases.ts).
 */
export const migration0602PipelineLeases: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('pipeline_sink_worker')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('pipeline_sink_lease')
      .addColumn('stream', 'varchar(255)', (c) => c.notNull())
      .addColumn('partition', 'integer', (c) => c.notNull())
      .addColumn('owner', 'varchar(64)', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('pipeline_sink_lease_pk', ['stream', 'partition'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('pipeline_sink_lease').execute();
    await db.schema.dropTable('pipeline_sink_worker').execute();
  },
};
