import type { Kysely, Migration } from 'kysely';

/** The `GENIE_*` headers a job was submitted with (JSON object), kept with its request metadata. */
export const migration0203JobRequestHeaders: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('job').addColumn('request_headers', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('job').dropColumn('request_headers').execute();
  },
};
