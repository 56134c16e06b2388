import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.ts';

/**
 * Registry resources that no job uses, for the leader's database cleanup (reference/genie.md 1.2,
 * Genie's DatabaseCleanupTask). Each method changes at most `limit` rows in one statement and
 * answers how many it changed; callers repeat until fewer come back. Every statement re-checks its
 * rule on the rows it changes, so a concurrent admin change or a job resolved meanwhile is not
 * overridden by a stale choice. "Used by a job" means by a job still in the database: jobs past
 * their retention are deleted first.
 */
export class UnusedResources {
  constructor(private readonly db: Kysely<Tables>) {}

  /** ACTIVE/DEPRECATED commands created before `createdBefore` that no job ran → INACTIVE. */
  async deactivateCommands(createdBefore: number, now: number, limit: number): Promise<number> {
    const statuses = ['ACTIVE', 'DEPRECATED'];
    const result = await this.db
      .updateTable('registry_command')
      .set((eb) => ({ status: 'INACTIVE', updated: now, row_version: eb('row_version', '+', 1) }))
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('registry_command as c')
          .select('c.id')
          .where('c.status', 'in', statuses)
          .where('c.created', '<', createdBefore)
          .where((w) => w.not(w.exists(w.selectFrom('job').select('job.id').whereRef('job.command_id', '=', 'c.id'))))
          .limit(limit),
      )
      .where('status', 'in', statuses)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('job').select('job.id').whereRef('job.command_id', '=', 'registry_command.id'))))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** INACTIVE commands created before `createdBefore` that no job ran (their tags and application links go too). */
  async deleteCommands(createdBefore: number, limit: number): Promise<number> {
    const result = await this.db
      .deleteFrom('registry_command')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('registry_command as c')
          .select('c.id')
          .where('c.status', '=', 'INACTIVE')
          .where('c.created', '<', createdBefore)
          .where((w) => w.not(w.exists(w.selectFrom('job').select('job.id').whereRef('job.command_id', '=', 'c.id'))))
          .limit(limit),
      )
      .where('status', '=', 'INACTIVE')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('job').select('job.id').whereRef('job.command_id', '=', 'registry_command.id'))))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** TERMINATED clusters created before `createdBefore` that no job ran on (their tags go too). */
  async deleteClusters(createdBefore: number, limit: number): Promise<number> {
    const result = await this.db
      .deleteFrom('registry_cluster')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('registry_cluster as c')
          .select('c.id')
          .where('c.status', '=', 'TERMINATED')
          .where('c.created', '<', createdBefore)
          .where((w) => w.not(w.exists(w.selectFrom('job').select('job.id').whereRef('job.cluster_id', '=', 'c.id'))))
          .limit(limit),
      )
      .where('status', '=', 'TERMINATED')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('job').select('job.id').whereRef('job.cluster_id', '=', 'registry_cluster.id'))))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Applications created before `createdBefore` that no command links and no job used (their tags go too). */
  async deleteApplications(createdBefore: number, limit: number): Promise<number> {
    const result = await this.db
      .deleteFrom('registry_application')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('registry_application as a')
          .select('a.id')
          .where('a.created', '<', createdBefore)
          .where((w) => w.not(w.exists(w.selectFrom('registry_command_application as l').select('l.command_id').whereRef('l.application_id', '=', 'a.id'))))
          .where((w) => w.not(w.exists(w.selectFrom('job_application as j').select('j.job_id').whereRef('j.application_id', '=', 'a.id'))))
          .limit(limit),
      )
      .where((eb) => eb.not(eb.exists(eb.selectFrom('registry_command_application as l').select('l.command_id').whereRef('l.application_id', '=', 'registry_application.id'))))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('job_application as j').select('j.job_id').whereRef('j.application_id', '=', 'registry_application.id'))))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
