import type { Kysely, Migration } from 'kysely';

/**
 * The server node (ServerNodes id) that is submitting a job, so the leader can tell a submission in
 * progress from one whose node died before answering: the job would otherwise sit RESERVED or
 * RESOLVED, never run, until the claim timeout failed it as unclaimed.
 */
export const migration0503JobSubmittedBy: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('job').addColumn('submitted_by', 'varchar(64)').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('job').dropColumn('submitted_by').execute();
  },
};
