import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Migrator, type Kysely } from 'kysely';
import { openDatabase } from '../../src/db/database.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { JobStore } from '../../src/jobs/job-store.ts';
import { createTestDatabase, STORES } from '../support/stores.ts';

// The jobs migrations after 0201 are numbered below other areas' (03xx), so a database made before
// them has already run higher-numbered migrations; upgrading it must still work, and fill in
// job_application from the jobs' stored specifications.
for (const store of STORES) {
  describe(`upgrading a ${store} database made before the jobs migrations 0202–0204`, () => {
    it('runs the new migrations after 0301 and backfills job applications', async () => {
      const testDb = await createTestDatabase(store);
      try {
        const before = await openDatabase(testDb.config, { migrate: false });
        const earlier = Object.fromEntries(Object.entries(migrations).filter(([name]) => !/^020[2-9]/.test(name)));
        const migrator = new Migrator({
          db: before.db as Kysely<unknown>,
          provider: { getMigrations: async () => earlier },
          migrationTableName: 'quarry_migration',
          migrationLockTableName: 'quarry_migration_lock',
        });
        const { error } = await migrator.migrateToLatest();
        assert.equal(error, undefined);
        const row = {
          created: 1,
          updated: 1,
          name: 'old',
          user_name: 'u',
          version: '1',
          description: null,
          metadata: null,
          tags: '[]',
          status: 'SUCCEEDED',
          status_msg: 'Job finished successfully.',
          request: JSON.stringify({ name: 'old', user: 'u', version: '1', tags: [], clusterCriterias: [{ tags: ['x'] }], commandCriteria: ['y'], disableLogArchival: false, applications: [], configs: [], dependencies: [] }),
          command_args: null,
          grouping: null,
          grouping_instance: null,
          cluster_id: 'c',
          cluster_name: 'c',
          command_id: 'cmd',
          command_name: 'cmd',
          started: null,
          finished: null,
          archive_location: null,
          archive_status: 'NO_FILES',
          exit_code: null,
          timeout_seconds: 10,
          agent_id: null,
          host_name: null,
          process_id: null,
          claimed_at: null,
          heartbeat_at: null,
          kill_requested_at: null,
          client_host: null,
          user_agent: null,
          num_attachments: 0,
          total_attachment_size: 0,
        };
        const db = before.db as unknown as Kysely<{ job: typeof row & { id: string; specification: string | null } }>;
        await db.insertInto('job').values({ ...row, id: 'resolved', specification: JSON.stringify({ applications: [{ id: 'spark' }, { id: 'hadoop' }] }) }).execute();
        await db.insertInto('job').values({ ...row, id: 'unresolved', specification: null }).execute();
        await before.close();

        const after = await openDatabase(testDb.config);
        try {
          const links = await after.db.selectFrom('job_application').selectAll().orderBy('job_id').orderBy('position').execute();
          assert.deepEqual(links.map((l) => [l.job_id, l.position, l.application_id]), [['resolved', 0, 'spark'], ['resolved', 1, 'hadoop']]);
          const job = await new JobStore(after).get('unresolved');
          assert.deepEqual(job?.requestHeaders, {}, 'jobs from before 0203 have no stored headers');
          assert.deepEqual(await after.db.selectFrom('job_setting').selectAll().execute(), []);
        } finally {
          await after.close();
        }
      } finally {
        await testDb.drop();
      }
    });
  });
}
