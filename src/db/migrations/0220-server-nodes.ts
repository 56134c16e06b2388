import type { Kysely, Migration } from 'kysely';

/**
 * The server nodes alive now: each node records the URL agents should use to reach it and renews
 * `heartbeat_at` while it runs, so an agent started with one URL learns the others (issue 19).
 */
export const migration0220ServerNodes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('server_node')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('url', 'varchar(1024)', (c) => c.notNull())
      .addColumn('started', 'bigint', (c) => c.notNull())
      .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('server_node').execute();
  },
};
