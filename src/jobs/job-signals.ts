/**
 * In-process wake-ups for the agent API's long polls: a submission wakes agents waiting to claim,
 * a kill request wakes the owning agent's kill poll. They only shorten waits on this node; every
 * poll also re-reads the database, so agents attached to another node see the same work.
 */
export class JobSignals {
  private claimWaiters = new Set<() => void>();
  private killWaiters = new Map<string, Set<() => void>>();

  jobAvailable(): void {
    const waiters = this.claimWaiters;
    this.claimWaiters = new Set();
    for (const wake of waiters) wake();
  }

  killRequested(agentId: string): void {
    const waiters = this.killWaiters.get(agentId);
    this.killWaiters.delete(agentId);
    for (const wake of waiters ?? []) wake();
  }

  /** Resolves on the next jobAvailable(), or after `ms`, or when `signal` aborts. */
  waitForJob(ms: number, signal?: AbortSignal): Promise<void> {
    return this.wait(this.claimWaiters, ms, signal);
  }

  waitForKill(agentId: string, ms: number, signal?: AbortSignal): Promise<void> {
    let set = this.killWaiters.get(agentId);
    if (!set) this.killWaiters.set(agentId, (set = new Set()));
    return this.wait(set, ms, signal);
  }

  private wait(set: Set<() => void>, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
