import { randomUUID } from 'node:crypto';
import type { JobsConfig } from '../../config/jobs-config.ts';
import type { Database } from '../../db/database.ts';
import type { JobSettings } from '../job-settings.ts';
import { StatusMessages } from '../../protocol/agent/job-status.ts';
import type { JobStore } from '../job-store.ts';
import { CronSchedule } from '../../config/cron-schedule.ts';
import type { CleanupReport, DatabaseCleanup } from './database-cleanup.ts';
import { LeaderLease } from './leader-lease.ts';

/** A RESERVED job whose submitting node stopped before resolving it (LeaderDuties.finishInterruptedSubmissions). */
export const SUBMISSION_INTERRUPTED = 'Submission interrupted: the server node handling it stopped before the job was resolved; submit it again under a new id';

/** The `job_setting` row recording the last database cleanup: its report, or `{ started }` while it runs. */
const CLEANUP_SETTING = 'databaseCleanup.lastRun';

export interface LeaderOptions {
  /** The periodic database cleanup and where its last run is recorded; absent: no cleanup. */
  cleanup?: { task: DatabaseCleanup; settings: JobSettings };
  /** This node's lease holder id (default a random UUID). */
  holder?: string;
}

/**
 * What one node does for the whole cluster of server nodes (reference/genie.md 5, AgentJobCleanupTask):
 * fails jobs whose agent stopped heartbeating, fails jobs no agent claimed, marks archives of
 * vanished agents UNKNOWN, and runs the database cleanup when it is due. Only the holder of the
 * `jobs-leader` lease runs them.
 *
 * The cleanup is due at the next time of `databaseCleanup.schedule` (a cron expression) after the
 * last one started, or `databaseCleanup.intervalMs` after it, whichever node ran it (the start time is a compare-and-set in `job_setting`, so leader changes and restarts neither
 * skip nor repeat it). It runs beside the sweeps rather than inside one, so a long cleanup does not
 * delay failing lost jobs.
 *
 * A node that just became leader waits one heartbeat (or claim) timeout before judging silence:
 * agents cannot heartbeat or claim while no server is up, so a restart of the only node must not
 * fail every running job.
 */
export class LeaderDuties {
  private readonly lease: LeaderLease;
  private timer?: NodeJS.Timeout;
  private leaderSince?: number;
  private running?: Promise<void>;
  private cleaning?: Promise<void>;
  private stopping = false;
  private readonly cleanup?: LeaderOptions['cleanup'];
  private schedule?: CronSchedule;

  constructor(
    database: Database,
    private readonly store: JobStore,
    private readonly config: JobsConfig,
    options: LeaderOptions = {},
  ) {
    const ttl = Math.max(config.leaderIntervalMs * 3, 1000);
    this.lease = new LeaderLease(database.db, 'jobs-leader', options.holder ?? randomUUID(), ttl, (e) => database.adapter.isUniqueViolation(e));
    this.cleanup = options.cleanup;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.config.leaderIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping = true;
    await this.running;
    await this.cleaning;
    if (this.leaderSince !== undefined) await this.lease.release().catch(() => undefined);
  }

  /** Resolves when the database cleanup this node started (if any) has finished; for tests. */
  async cleanupSettled(): Promise<void> {
    await this.cleaning;
  }

  /** The last database cleanup's report (or `{ started }` while one runs), from whichever node ran it. */
  async lastCleanup(): Promise<CleanupReport | { started: number } | undefined> {
    return this.cleanup?.settings.get(CLEANUP_SETTING);
  }

  /** One sweep; exposed so tests can run it without waiting for the timer. */
  tick(now = Date.now()): Promise<void> {
    this.running ??= this.sweep(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweep(now: number): Promise<void> {
    try {
      if (!(await this.lease.acquire(now))) {
        this.leaderSince = undefined;
        return;
      }
      this.leaderSince ??= now;
      if (now - this.leaderSince >= this.config.claimStartTimeoutMs) await this.store.requeueUnstartedClaims(now - this.config.claimStartTimeoutMs, now);
      if (now - this.leaderSince >= this.config.claimTimeoutMs) await this.failUnclaimed(now);
      if (now - this.leaderSince >= this.config.heartbeatTimeoutMs) {
        await this.finishInterruptedSubmissions(now);
        await this.failSilent(now);
        await this.store.markStaleArchivesUnknown(now - this.config.archiveStatusTimeoutMs, now - this.config.heartbeatTimeoutMs, now);
      }
      await this.startCleanupIfDue(now);
    } catch {
      // A failed sweep (database briefly away) is retried on the next tick. Agents could not
      // heartbeat through the outage either, so silence is judged afresh: a whole timeout after the
      // database is back, as after becoming leader.
      this.leaderSince = undefined;
    }
  }

  private async startCleanupIfDue(now: number): Promise<void> {
    const cleanup = this.cleanup;
    if (!cleanup?.task.enabled || this.cleaning || this.stopping) return;
    const last = await cleanup.settings.get<{ started: number }>(CLEANUP_SETTING);
    if (!this.cleanupDue(now, last?.started)) return;
    if (!(await cleanup.settings.compareAndSet(CLEANUP_SETTING, last, { started: now }, now))) return;
    this.cleaning = cleanup.task
      .run(now, () => this.stopping)
      .then((report) => cleanup.settings.put(CLEANUP_SETTING, report))
      .catch(() => undefined) // the report could not be written: the next run reports afresh
      .finally(() => (this.cleaning = undefined));
  }

  /**
   * With a schedule, the cleanup is due once its next time after the last start has come (a cluster
   * that never cleaned waits for the first time after this node became leader); otherwise
   * `intervalMs` after the last start, and at once if there was none.
   */
  private cleanupDue(now: number, lastStarted: number | undefined): boolean {
    const at = this.cleanupDueAt(now, lastStarted);
    return at !== undefined && at <= now;
  }

  private cleanupDueAt(now: number, lastStarted: number | undefined): number | undefined {
    const { schedule, intervalMs } = this.config.databaseCleanup;
    if (schedule === undefined) return lastStarted === undefined ? now : lastStarted + intervalMs;
    this.schedule ??= CronSchedule.parse(schedule);
    return this.schedule.next(lastStarted ?? this.leaderSince ?? now);
  }

  /** When the database cleanup is next due (epoch ms), as this node sees it; undefined when it is off. */
  async nextCleanup(now = Date.now()): Promise<number | undefined> {
    if (!this.cleanup?.task.enabled) return undefined;
    const last = await this.cleanup.settings.get<{ started: number }>(CLEANUP_SETTING);
    return this.cleanupDueAt(now, last?.started);
  }

  /** Declares lost the agents of jobs silent for a whole lease, naming agent and host in the job's message. */
  private async failSilent(now: number): Promise<void> {
    const seconds = Math.round(this.config.heartbeatTimeoutMs / 1000);
    for (const job of await this.store.findSilent(now - this.config.heartbeatTimeoutMs)) {
      const message = `${StatusMessages.agentAwol}: agent ${job.agentId ?? '?'} on host ${job.hostName ?? '?'} did not renew its lease within ${seconds} s`;
      await this.store.changeStatus(job.id, job.status, 'FAILED', message, { agentId: job.agentId });
    }
  }

  /**
   * Submissions whose node died (or stopped) before answering: the client got no answer and may ask
   * by the job's id. A RESOLVED job had everything saved but the last step, so it is accepted and runs
   * (a retry under the same id is answered 409 and finds it accepted); a RESERVED one was never
   * resolved, so it fails saying so (a retry must use a new id). Before this, both sat until the
   * claim timeout and then failed as "not claimed", which was not the truth.
   */
  private async finishInterruptedSubmissions(now: number): Promise<void> {
    for (const job of await this.store.findInterruptedSubmissions(now - this.config.heartbeatTimeoutMs)) {
      if (job.status === 'RESOLVED') await this.store.changeStatus(job.id, 'RESOLVED', 'ACCEPTED', StatusMessages.accepted);
      else await this.store.changeStatus(job.id, job.status, 'FAILED', SUBMISSION_INTERRUPTED, { archiveStatus: 'NO_FILES' });
    }
  }

  private async failUnclaimed(now: number): Promise<void> {
    for (const job of await this.store.findUnclaimed(now - this.config.claimTimeoutMs)) {
      await this.store.changeStatus(job.id, job.status, 'FAILED', StatusMessages.noAgentClaimed, { archiveStatus: 'NO_FILES' });
    }
  }
}
