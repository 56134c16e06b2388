import type { Registry } from 'prom-client';
import type { QuarryConfig } from '../config/config.ts';
import { loadPipelineConfig, type PipelineConfig } from '../config/pipeline-config.ts';
import type { Database } from '../db/database.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { Collector, type CollectRequest, type CollectResult } from './collector.ts';
import type { EventLog } from './event-log.ts';
import { IdempotencyStore } from './idempotency-store.ts';
import { openEventLog } from './open-event-log.ts';
import { pipelineMetrics } from './pipeline-metrics.ts';
import { PartitionLeases } from './partition-leases.ts';
import { describeSinkOutage } from './sink-outage.ts';
import { SinkWorker } from './sink-worker.ts';
import { StreamDeclaration } from './stream-declaration.ts';
import type { StreamDefinition } from './stream-definition.ts';
import { streamStatus, type StreamStatus } from './stream-status.ts';
import { StreamStore } from './stream-store.ts';

/** The event pipeline of one node: what its HTTP routes and the CLI use. */
export interface PipelineArea {
  readonly config: PipelineConfig;
  readonly log: EventLog;
  /** This node's sink worker (running when config.sink.enabled). */
  readonly sink: SinkWorker;
  /** Per-stream gauges for /metrics. */
  readonly metrics: Registry;
  declare(name: string, definition: StreamDefinition): Promise<{ status: StreamStatus; created: boolean }>;
  list(): Promise<StreamStatus[]>;
  status(name: string): Promise<StreamStatus>;
  /** Stops a stream: the collector refuses its events; its tables stay. */
  remove(name: string): Promise<void>;
  collect(request: CollectRequest): Promise<CollectResult>;
  close(): Promise<void>;
}

/** Idempotency-Key answers are kept this long. */
const IDEMPOTENCY_RETENTION_MS = 24 * 3600 * 1000;

export async function openPipelineArea(config: QuarryConfig, database: Database, warehouse: Warehouse): Promise<PipelineArea> {
  const settings = config.pipeline ?? loadPipelineConfig(undefined);
  const store = new StreamStore(database);
  const log = await openEventLog(settings, database);
  const idempotency = new IdempotencyStore(database);
  const declaration = new StreamDeclaration(store, warehouse, log);
  const collector = new Collector(store, log, idempotency, { maxEventBytes: settings.maxEventBytes, maxBatchBytes: settings.maxBatchBytes });
  const sink = new SinkWorker(store, warehouse, log, {
    ...settings.sink,
    leases: new PartitionLeases(database, { ttlMs: settings.sink.leaseMs }),
    onOutage: (event) => process.stderr.write(`${describeSinkOutage(event)}\n`),
  });
  const status = async (name: string) => {
    const stream = await store.get(name);
    if (!stream) throw new NotFoundError(`No stream named ${JSON.stringify(name)}`, { field: 'name' });
    return streamStatus(stream, warehouse, log);
  };
  const list = async () => Promise.all((await store.list()).map((s) => streamStatus(s, warehouse, log)));
  if (settings.sink.enabled) sink.start();
  const pruner = setInterval(() => void idempotency.prune(IDEMPOTENCY_RETENTION_MS).catch(() => undefined), 3600 * 1000);
  pruner.unref();
  return {
    config: settings,
    log,
    sink,
    metrics: pipelineMetrics(list),
    async declare(name, definition) {
      const { created } = await declaration.declare(name, definition);
      return { status: await status(name), created };
    },
    list,
    status,
    async remove(name) {
      if (!(await store.deactivate(name))) throw new NotFoundError(`No active stream named ${JSON.stringify(name)}`, { field: 'name' });
    },
    collect: (request) => collector.collect(request),
    async close() {
      clearInterval(pruner);
      await sink.stop();
      await log.close();
    },
  };
}
