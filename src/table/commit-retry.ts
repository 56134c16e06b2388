import { applyTableUpdates } from './metadata-builder.ts';
import { CommitFailedError } from './table-errors.ts';
import type { TableMetadata } from './table-metadata.ts';
import type { TableOperations, TableState } from './table-operations.ts';
import type { TableUpdate } from './table-update.ts';

/** How often and how patiently a losing writer retries (table properties, Iceberg's names). */
export interface RetryPolicy {
  retries: number;
  minWaitMs: number;
  maxWaitMs: number;
}

export function retryPolicy(md: TableMetadata): RetryPolicy {
  const prop = (key: string, fallback: number) => {
    const v = Number(md.properties[key]);
    return Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  // More retries than Iceberg's default of 4: Quarry's own writers (the pipeline sink, jobs) commit
  // small appends often and concurrently, and an append always applies to the new base.
  return { retries: prop('commit.retry.num-retries', 100), minWaitMs: prop('commit.retry.min-wait-ms', 5), maxWaitMs: prop('commit.retry.max-wait-ms', 2000) };
}

/** Exponential backoff with full jitter, so writers that collided do not collide again in step. */
export function backoff(policy: RetryPolicy, attempt: number): Promise<void> {
  const cap = Math.min(policy.maxWaitMs, policy.minWaitMs * 2 ** Math.min(attempt, 20));
  return new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
}

/**
 * The one retry loop of Quarry's commits: runs `attempt` (0, 1, …) until it succeeds, again after
 * each error `retryable` accepts — by default a CommitFailedError, a lost swap that changed nothing —
 * at most `policy.retries` more times, with backoff between. Any other error, and the last retryable
 * one, reach the caller.
 */
export async function retryCommit<T>(
  policy: RetryPolicy,
  attempt: (attempt: number) => Promise<T>,
  retryable: (error: unknown) => boolean = (error) => error instanceof CommitFailedError,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!retryable(error) || n >= policy.retries) throw error;
      await backoff(policy, n);
    }
  }
}

/**
 * Runs a change against a table: first on the state in hand, after a lost race on the state read
 * again, under the table's own retry policy (commit.retry.* properties).
 */
export function commitWithRetry<T>(ops: TableOperations, attempt: (base: TableState, attempt: number) => Promise<T>): Promise<T> {
  return retryCommit(retryPolicy(ops.current().metadata), async (n) => attempt(n === 0 ? ops.current() : await ops.refresh(), n));
}

/** Commits the updates `change` gives for the current metadata, rebuilt on the new base after a lost race. */
export function commitTableUpdates(ops: TableOperations, change: (base: TableMetadata) => readonly TableUpdate[]): Promise<TableState> {
  return commitWithRetry(ops, (base) => ops.commit(base, applyTableUpdates(base.metadata, change(base.metadata))));
}
