import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

/**
 * Every status a job has had, with when and the message it carried: the job page's status history
 * (Genie's UI shows it). Rows go with their job (cascade), so retention deletes them too. Jobs that
 * exist before this migration start their history with the status they had then, at their last update.
 */
export const migration0230JobStatusChanges: Migration = {
  async up(db: Kysely<unknown>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .createTable('job_status_change')
      // The id orders changes made in the same millisecond (CLAIMED and INIT often are).
      .addColumn('id', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
      .addColumn('job_id', 'varchar(255)', (c) => c.notNull().references('job.id').onDelete('cascade'))
      .addColumn('status', 'varchar(20)', (c) => c.notNull())
      .addColumn('message', 'varchar(255)')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('job_status_change_job_idx').on('job_status_change').columns(['job_id', 'id']).execute();
    await sql`insert into job_status_change (job_id, status, message, at) select id, status, status_msg, updated from job`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('job_status_change').execute();
  },
};
