import { DuckDbSession } from '../table/duckdb-session.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { EventLog } from './event-log.ts';
import type { StreamStore } from './stream-store.ts';
import { StreamSink, type FlushResult, type SinkOptions } from './stream-sink.ts';

export interface SinkWorkerOptions extends SinkOptions {
  /** Pause between rounds when nothing was committed. */
  pollMs: number;
  /** Called with errors of a round (the worker keeps going and retries from the tables' state). */
  onError?: (error: unknown, stream: string) => void;
}

/**
 * A sink process's loop over every active stream (one StreamSink each), in the server or in its own
 * process. Any number of workers may run against the same log and tables: their commits are
 * compare-and-swap on the committed offsets, so they never commit a record twice.
 */
export class SinkWorker {
  private readonly sinks = new Map<string, { sink: StreamSink; definition: string }>();
  private session: DuckDbSession | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly store: StreamStore,
    private readonly warehouse: Warehouse,
    private readonly log: EventLog,
    private readonly options: SinkWorkerOptions,
  ) {}

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
    this.session?.close();
    this.session = undefined;
  }

  /** One round over every active stream; with `force`, whatever is buffered is committed now. */
  async round(force = false): Promise<Map<string, FlushResult>> {
    const results = new Map<string, FlushResult>();
    const streams = await this.store.list({ activeOnly: true });
    for (const name of [...this.sinks.keys()]) if (!streams.some((s) => s.name === name)) this.sinks.delete(name);
    for (const stream of streams) {
      const definition = JSON.stringify(stream.definition);
      let entry = this.sinks.get(stream.name);
      if (!entry || entry.definition !== definition) {
        this.session ??= await DuckDbSession.open({ threads: 1 });
        entry = { sink: new StreamSink(stream.name, stream.definition, this.warehouse, this.log, this.session, this.options), definition };
        this.sinks.set(stream.name, entry);
      }
      try {
        const result = await entry.sink.step(force);
        if (result) results.set(stream.name, result);
      } catch (error) {
        await entry.sink.load().catch(() => undefined);
        this.options.onError?.(error, stream.name);
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
      } catch (error) {
        this.options.onError?.(error, '*');
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
