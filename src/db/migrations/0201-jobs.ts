import type { Kysely, Migration } from 'kysely';

/** Jobs, their tags for search, the agents that run them and the leader lease (see src/db/tables/jobs.ts). */
export const jobsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('job')
      .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('created', 'bigint', (c) => c.notNull())
      .addColumn('updated', 'bigint', (c) => c.notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('user_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('version', 'varchar(255)', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('metadata', 'text')
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('status', 'varchar(20)', (c) => c.notNull())
      .addColumn('status_msg', 'varchar(255)')
      .addColumn('request', 'text', (c) => c.notNull())
      .addColumn('command_args', 'text')
      .addColumn('grouping', 'varchar(255)')
      .addColumn('grouping_instance', 'varchar(255)')
      .addColumn('cluster_id', 'varchar(255)')
      .addColumn('cluster_name', 'varchar(255)')
      .addColumn('command_id', 'varchar(255)')
      .addColumn('command_name', 'varchar(255)')
      .addColumn('specification', 'text')
      .addColumn('started', 'bigint')
      .addColumn('finished', 'bigint')
      .addColumn('archive_location', 'varchar(1024)')
      .addColumn('archive_status', 'varchar(20)', (c) => c.notNull())
      .addColumn('exit_code', 'integer')
      .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
      .addColumn('agent_id', 'varchar(255)')
      .addColumn('host_name', 'varchar(255)')
      .addColumn('process_id', 'integer')
      .addColumn('claimed_at', 'bigint')
      .addColumn('heartbeat_at', 'bigint')
      .addColumn('kill_requested_at', 'bigint')
      .addColumn('client_host', 'varchar(255)')
      .addColumn('user_agent', 'varchar(1024)')
      .addColumn('num_attachments', 'integer', (c) => c.notNull())
      .addColumn('total_attachment_size', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('job_status_idx').on('job').columns(['status', 'updated']).execute();
    await db.schema.createIndex('job_user_status_idx').on('job').columns(['user_name', 'status']).execute();
    await db.schema.createIndex('job_cluster_status_idx').on('job').columns(['cluster_id', 'status']).execute();
    await db.schema.createIndex('job_created_idx').on('job').column('created').execute();
    await db.schema.createIndex('job_agent_idx').on('job').columns(['agent_id', 'status']).execute();

    await db.schema
      .createTable('job_tag')
      .addColumn('job_id', 'varchar(255)', (c) => c.notNull().references('job.id').onDelete('cascade'))
      .addColumn('tag', 'varchar(255)', (c) => c.notNull())
      .addPrimaryKeyConstraint('job_tag_pk', ['job_id', 'tag'])
      .execute();
    await db.schema.createIndex('job_tag_tag_idx').on('job_tag').columns(['tag', 'job_id']).execute();

    await db.schema
      .createTable('job_agent')
      .addColumn('id', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('host_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('address', 'varchar(1024)')
      .addColumn('pid', 'integer', (c) => c.notNull())
      .addColumn('version', 'varchar(64)', (c) => c.notNull())
      .addColumn('started', 'bigint', (c) => c.notNull())
      .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('job_leader_lease')
      .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('holder', 'varchar(255)', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of ['job_leader_lease', 'job_agent', 'job_tag', 'job']) await db.schema.dropTable(table).execute();
  },
};
