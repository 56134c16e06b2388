import { randomUUID } from 'node:crypto';
import type { JobsConfig } from '../../config/jobs-config.ts';
import type { Database } from '../../db/database.ts';
import { StatusMessages } from '../job-status.ts';
import type { JobStore } from '../job-store.ts';
import { LeaderLease } from './leader-lease.ts';

/**
 * What one node does for the whole cluster of server nodes (reference/genie.md 5, AgentJobCleanupTask):
 * fails jobs whose agent stopped heartbeating, fails jobs no agent claimed, and marks archives of
 * vanished agents UNKNOWN. Only the holder of the `jobs-leader` lease runs them.
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

  constructor(
    database: Database,
    private readonly store: JobStore,
    private readonly config: JobsConfig,
    holder = randomUUID(),
  ) {
    const ttl = Math.max(config.leaderIntervalMs * 3, 1000);
    this.lease = new LeaderLease(database.db, 'jobs-leader', holder, ttl, (e) => database.adapter.isUniqueViolation(e));
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.config.leaderIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    if (this.leaderSince !== undefined) await this.lease.release().catch(() => undefined);
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
      if (now - this.leaderSince >= this.config.claimTimeoutMs) await this.failUnclaimed(now);
      if (now - this.leaderSince >= this.config.heartbeatTimeoutMs) {
        await this.failSilent(now);
        await this.store.markStaleArchivesUnknown(now - this.config.archiveStatusTimeoutMs, now - this.config.heartbeatTimeoutMs, now);
      }
    } catch {
      // A failed sweep (database briefly away) is retried on the next tick.
    }
  }

  private async failSilent(now: number): Promise<void> {
    for (const job of await this.store.findSilent(now - this.config.heartbeatTimeoutMs)) {
      await this.store.changeStatus(job.id, job.status, 'FAILED', StatusMessages.agentAwol);
    }
  }

  private async failUnclaimed(now: number): Promise<void> {
    for (const job of await this.store.findUnclaimed(now - this.config.claimTimeoutMs)) {
      await this.store.changeStatus(job.id, job.status, 'FAILED', StatusMessages.noAgentClaimed, { archiveStatus: 'NO_FILES' });
    }
  }
}
