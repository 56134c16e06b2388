import { DuckDbSession } from '../table/duckdb-session.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { EventLog } from './event-log.ts';
import type { StreamStore } from './stream-store.ts';
import type { PartitionLeases } from './partition-leases.ts';
import { SinkOutages, type SinkOutageEvent } from './sink-outage.ts';
import { StreamSink, type FlushResult, type SinkOptions } from './stream-sink.ts';

export interface SinkWorkerOptions extends SinkOptions {
  /** Pause between rounds when nothing was committed. */
  pollMs: number;
  /**
   * Told when a stream's rounds start failing and when they work again (the worker keeps going and
   * retries from the tables' state every round; the retries in between are counted, not reported).
   * The stream is '*' when listing the streams failed.
   */
  onOutage?: (event: SinkOutageEvent) => void;
  /**
   * Share the streams' partitions with the other workers holding leases in the same metadata
   * database (each reads only the partitions it holds). Absent: this worker reads every partition
   * (still safe beside other workers, whose commits it can only lose races to).
   */
  leases?: PartitionLeases;
  /** Told after each round that committed to a stream. */
  onCommit?: (stream: string, result: FlushResult) => void;
}

/**
 * A sink process's loop over every active stream (one StreamSink each), in the server or in its own
 * process (`quarry pipeline sink`). Any number of workers may run against the same log and tables:
 * with leases they split each stream's partitions among them, and their commits are
 * compare-and-swap on the committed offsets of the partitions they cover, so they never commit a
 * record twice.
 */
export class SinkWorker {
  private readonly sinks = new Map<string, { sink: StreamSink; definition: string }>();
  private session: DuckDbSession | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly outages: SinkOutages;

  constructor(
    private readonly store: StreamStore,
    private readonly warehouse: Warehouse,
    private readonly log: EventLog,
    private readonly options: SinkWorkerOptions,
  ) {
    this.outages = new SinkOutages((event) => options.onOutage?.(event));
  }

  start(): void {
    if (this.running) return;
    this.stopped = false;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
    await this.options.leases?.releaseAll().catch(() => undefined);
    this.session?.close();
    this.session = undefined;
  }

  /** One round over every active stream; with `force`, whatever is buffered is committed now. */
  async round(force = false): Promise<Map<string, FlushResult>> {
    const results = new Map<string, FlushResult>();
    let streams;
    let live: string[] = [];
    try {
      streams = await this.store.list({ activeOnly: true });
      if (this.options.leases) live = await this.options.leases.heartbeat();
    } catch (error) {
      this.outages.failed('*', error);
      throw error;
    }
    this.outages.succeeded('*');
    for (const name of [...this.sinks.keys()]) if (!streams.some((s) => s.name === name)) this.sinks.delete(name);
    for (const stream of streams) {
      const definition = JSON.stringify(stream.definition);
      let entry = this.sinks.get(stream.name);
      if (!entry || entry.definition !== definition) {
        this.session ??= await DuckDbSession.open({ threads: 1 });
        const options = this.options.leases ? { ...this.options, workerId: this.options.leases.workerId } : this.options;
        entry = { sink: new StreamSink(stream.name, stream.definition, this.warehouse, this.log, this.session, options), definition };
        this.sinks.set(stream.name, entry);
      }
      try {
        if (this.options.leases) {
          const held = await this.options.leases.acquire(stream.name, await this.log.partitionCount(stream.name), live);
          entry.sink.assign(held);
          if (held.length === 0) {
            this.outages.succeeded(stream.name);
            continue;
          }
        }
        const result = await entry.sink.step(force);
        this.outages.succeeded(stream.name);
        if (result) {
          results.set(stream.name, result);
          this.options.onCommit?.(stream.name, result);
        }
      } catch (error) {
        this.outages.failed(stream.name, error);
        await entry.sink.load().catch(() => undefined);
      }
    }
    return results;
  }

  /**
   * Rounds until everything in the logs is committed (for tests, benchmarks and shutdown): until a
   * round finds nothing, and for Kafka, whose reader fetches in the background, until rounds have
   * found nothing for `quietMs`.
   */
  async drain(quietMs = 3000): Promise<void> {
    let quietSince = Date.now();
    for (;;) {
      const results = await this.round(true);
      if (results.size > 0) {
        quietSince = Date.now();
        continue;
      }
      if (this.log.kind === 'embedded' || Date.now() - quietSince >= quietMs) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let busy = false;
      try {
        busy = (await this.round()).size > 0;
      } catch {
        // Reported through onOutage by round().
      }
      if (!busy && !this.stopped) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
