import type { AgentSettings } from '../jobs/agent-protocol.ts';

/**
 * The agent's half of the lease on its jobs. Any answer from a node renews it (a node that answers,
 * even 503 while the database is away, cannot have failed this agent's jobs: failing them needs the
 * database, and a leader waits a whole lease after the database returns). When no node has answered
 * for the fence time, `onExpired` runs once — the agent kills its jobs — and again only after a
 * renewal and a new silence.
 *
 * The fence time is the server's lease (`jobs.heartbeatTimeoutSeconds`) less the kill grace and one
 * heartbeat, so the jobs' processes are gone before any node may declare the agent lost; it is at
 * least half the lease.
 */
export class LeaseFence {
  private lastContact = Date.now();
  private expired = false;
  private timer?: NodeJS.Timeout;
  private fenceAfterMs = 0;

  constructor(private readonly onExpired: () => void) {}

  start(settings: Pick<Required<AgentSettings>, 'leaseTimeoutMs' | 'killGraceMs' | 'heartbeatIntervalMs'>): void {
    this.stop();
    this.fenceAfterMs = fenceTime(settings);
    this.lastContact = Date.now();
    const everyMs = Math.max(50, Math.min(settings.heartbeatIntervalMs, this.fenceAfterMs / 4));
    this.timer = setInterval(() => this.check(), everyMs);
    this.timer.unref();
  }

  renewed(now = Date.now()): void {
    this.lastContact = now;
    this.expired = false;
  }

  /** Runs the check now (the timer calls it too). */
  check(now = Date.now()): void {
    if (this.expired || this.fenceAfterMs === 0 || now - this.lastContact < this.fenceAfterMs) return;
    this.expired = true;
    this.onExpired();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** How long without any answer before an agent kills its own jobs (see LeaseFence). */
export function fenceTime(settings: Pick<Required<AgentSettings>, 'leaseTimeoutMs' | 'killGraceMs' | 'heartbeatIntervalMs'>): number {
  const { leaseTimeoutMs, killGraceMs, heartbeatIntervalMs } = settings;
  return Math.max(Math.floor(leaseTimeoutMs / 2), leaseTimeoutMs - killGraceMs - heartbeatIntervalMs);
}
