import type { DatabaseCleanupConfig } from '../../config/jobs-config.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { JobStore } from '../job-store.ts';
import type { UnusedResources } from './unused-resources.ts';

/** What one cleanup run did (kept in the database; served at GET /api/admin/v1/jobs/cleanup). */
export interface CleanupReport {
  /** The clock the run judged ages by (epoch ms). */
  started: number;
  finished?: number;
  jobsDeleted: number;
  archivesDeleted: number;
  commandsDeactivated: number;
  commandsDeleted: number;
  clustersDeleted: number;
  applicationsDeleted: number;
  /** Why the run stopped early; what it did before stays done, the rest waits for the next run. */
  error?: string;
}

/** Registry resources younger than this are never deleted: they may be in the middle of being set up (Genie: one hour). */
export const REGISTRY_GRACE_MS = 3_600_000;

export interface DatabaseCleanupDependencies {
  store: JobStore;
  unused: UnusedResources;
  /** Opens the store holding one job's archive (its archive location). */
  archiveStore: (location: string) => ObjectStore;
  attachmentStore: ObjectStore;
}

/**
 * The leader's database cleanup (reference/genie.md 1.2, Genie's DatabaseCleanupTask), in Genie's
 * order: finished jobs created more than the retention ago are deleted in batches with their tags,
 * application links and attachments (and archives if configured); then, if enabled, TERMINATED
 * clusters and INACTIVE commands that no remaining job used are deleted, ACTIVE/DEPRECATED commands
 * older than the deactivation age that no job used become INACTIVE (deleted by a later run), and
 * applications that no command links and no job used are deleted. Registry resources created within
 * the last hour are left alone.
 *
 * A job's objects are deleted before its row, so a run that stops midway leaves rows that the next
 * run finishes, never objects nobody knows about.
 */
export class DatabaseCleanup {
  constructor(
    private readonly config: DatabaseCleanupConfig,
    private readonly deps: DatabaseCleanupDependencies,
  ) {}

  get enabled(): boolean {
    return this.config.jobs.enabled || this.config.registry.enabled;
  }

  /** One run judged at `now`; `stopping` is polled between batches. Never throws: failures end up in the report. */
  async run(now: number, stopping: () => boolean = () => false): Promise<CleanupReport> {
    const report: CleanupReport = {
      started: now,
      jobsDeleted: 0,
      archivesDeleted: 0,
      commandsDeactivated: 0,
      commandsDeleted: 0,
      clustersDeleted: 0,
      applicationsDeleted: 0,
    };
    try {
      if (this.config.jobs.enabled) await this.deleteJobs(now - this.config.jobs.retentionMs, report, stopping);
      const registry = this.config.registry;
      if (registry.enabled) {
        const graceCutoff = now - REGISTRY_GRACE_MS;
        const repeat = async (step: () => Promise<number>) => {
          let total = 0;
          for (;;) {
            const changed = await step();
            total += changed;
            if (changed < registry.batchSize || stopping()) return total;
          }
        };
        const { unused } = this.deps;
        if (registry.deleteClusters) report.clustersDeleted = await repeat(() => unused.deleteClusters(graceCutoff, registry.batchSize));
        if (registry.deleteCommands) report.commandsDeleted = await repeat(() => unused.deleteCommands(graceCutoff, registry.batchSize));
        if (registry.deactivateCommands) {
          report.commandsDeactivated = await repeat(() => unused.deactivateCommands(now - registry.commandDeactivationMs, now, registry.batchSize));
        }
        if (registry.deleteApplications) report.applicationsDeleted = await repeat(() => unused.deleteApplications(graceCutoff, registry.batchSize));
      }
    } catch (error) {
      report.error = (error as Error).message;
    }
    report.finished = Date.now();
    return report;
  }

  private async deleteJobs(createdBefore: number, report: CleanupReport, stopping: () => boolean): Promise<void> {
    const { store, archiveStore, attachmentStore } = this.deps;
    for (;;) {
      const batch = await store.findExpired(createdBefore, this.config.jobs.batchSize);
      if (batch.length === 0) return;
      for (const job of batch) {
        if (job.numAttachments > 0) await deleteAll(attachmentStore, `${job.id}/`);
        if (this.config.jobs.deleteArchives && job.archiveLocation) {
          if ((await deleteAll(archiveStore(job.archiveLocation), '')) > 0) report.archivesDeleted++;
        }
      }
      report.jobsDeleted += await store.deleteFinished(batch.map((job) => job.id));
      if (batch.length < this.config.jobs.batchSize || stopping()) return;
    }
  }
}

async function deleteAll(store: ObjectStore, prefix: string): Promise<number> {
  const { objects } = await store.list(prefix);
  for (const object of objects) await store.delete(object.key);
  return objects.length;
}
