import type { Kysely, Migration } from 'kysely';

/**
 * Small named values the jobs area keeps in the database so that every server node sees the same:
 * settings an admin changes at runtime (job submission on or off) and when periodic leader tasks
 * last ran (see src/db/tables/jobs.ts, JobSettingTable).
 */
export const migration0202JobSettings: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('job_setting')
      .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('job_setting').execute();
  },
};
