import type { TableMetadata } from './table-metadata.ts';

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
