import { Gauge, Registry } from 'prom-client';
import type { StreamStatus } from './stream-status.ts';

/**
 * The pipeline's Prometheus metrics, per stream, read fresh from the shared state at each scrape
 * (so every node reports the same numbers, whichever collector took the events).
 */
export function pipelineMetrics(statuses: () => Promise<StreamStatus[]>): Registry {
  const registry = new Registry();
  const gauges = {
    accepted: ['quarry_pipeline_events_accepted_total', 'Events the collector accepted.'],
    rejected: ['quarry_pipeline_events_rejected_total', 'Events the collector refused (written as dead letters).'],
    committed: ['quarry_pipeline_events_committed_total', 'Events committed to the stream\'s table.'],
    deadLettersCommitted: ['quarry_pipeline_dead_letters_committed_total', 'Dead letters committed to the dead-letter table.'],
    lagEvents: ['quarry_pipeline_lag_events', 'Events in the log not yet committed.'],
    lagSeconds: ['quarry_pipeline_lag_seconds', 'Age of the oldest event not yet committed.'],
    lastCommit: ['quarry_pipeline_last_commit_timestamp_seconds', 'Time of the last commit to the stream\'s table.'],
    files: ['quarry_pipeline_table_files', 'Data files in the stream\'s table.'],
    bytes: ['quarry_pipeline_table_bytes', 'Bytes of data files in the stream\'s table.'],
  } as const;
  // A scrape collects every gauge at once; they share one reading of the statuses.
  let reading: Promise<void> | undefined;
  const collect = () => (reading ??= read().finally(() => (reading = undefined)));
  const made = Object.fromEntries(
    Object.entries(gauges).map(([key, [name, help]]) => [key, new Gauge({ name, help, labelNames: ['stream'] as const, registers: [registry], collect })]),
  ) as Record<keyof typeof gauges, Gauge<'stream'>>;
  async function read(): Promise<void> {
    const all = await statuses();
    for (const gauge of Object.values(made)) gauge.reset();
    for (const s of all) {
      const labels = { stream: s.name };
      made.accepted.set(labels, s.accepted);
      made.rejected.set(labels, s.rejected);
      made.committed.set(labels, s.committed);
      made.deadLettersCommitted.set(labels, s.deadLettersCommitted);
      made.lagEvents.set(labels, s.lag.events);
      made.lagSeconds.set(labels, s.lag.seconds);
      if (s.lastCommit) made.lastCommit.set(labels, Date.parse(s.lastCommit) / 1000);
      made.files.set(labels, s.files);
      made.bytes.set(labels, s.bytes);
    }
  }
  return registry;
}
