import type { Kysely, Migration } from 'kysely';

/**
 * Which applications each job was resolved to, in setup order, and an index of jobs by command: what
 * the leader's database cleanup asks when it looks for registry resources no job uses (Genie's
 * jobs_applications and its command_id/cluster_id indexes). Jobs resolved before this migration are
 * filled in from their stored specification.
 */
export const migration0204JobApplications: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('job_application')
      .addColumn('job_id', 'varchar(255)', (c) => c.notNull().references('job.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('application_id', 'varchar(255)', (c) => c.notNull())
      .addPrimaryKeyConstraint('job_application_pk', ['job_id', 'position'])
      .execute();
    await db.schema.createIndex('job_application_application_idx').on('job_application').columns(['application_id', 'job_id']).execute();
    await db.schema.createIndex('job_command_idx').on('job').column('command_id').execute();

    const typed = db as Kysely<{ job: { id: string; specification: string | null }; job_application: { job_id: string; position: number; application_id: string } }>;
    const resolved = await typed.selectFrom('job').select(['id', 'specification']).where('specification', 'is not', null).execute();
    const links = resolved.flatMap((job) => {
      const spec = JSON.parse(job.specification!) as { applications?: Array<{ id: string }> };
      return (spec.applications ?? []).map((app, position) => ({ job_id: job.id, position, application_id: app.id }));
    });
    for (let i = 0; i < links.length; i += 500) await typed.insertInto('job_application').values(links.slice(i, i + 500)).execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('job_command_idx').execute();
    await db.schema.dropTable('job_application').execute();
  },
};
