import type { CatalogEvent, CatalogEventType } from './catalog-event.ts';
import type { CatalogEventLog } from './event-log.ts';

export interface EventFilter {
  /** Only events whose qualified name starts with this (`warehouse/sales`). */
  readonly namePrefix?: string;
  /** Only these event types. */
  readonly types?: ReadonlySet<CatalogEventType>;
}

const BATCH = 500;

/**
 * Follows the event log for one subscriber (the SSE stream). It reads committed events by sequence
 * number, so every subscriber sees every event once and in commit order, whichever node made it:
 * local commits wake it at once, other nodes' commits within `pollMs`.
 */
export class EventFeed {
  constructor(
    private readonly log: CatalogEventLog,
    private readonly pollMs = 1000,
  ) {}

  /** The sequence number a new subscriber starts after: only events from now on. */
  current(): Promise<number> {
    return this.log.lastSeq();
  }

  /** Yields events after `after` that pass `filter`, waiting for more, until `signal` aborts. */
  async *follow(after: number, filter: EventFilter, signal: AbortSignal): AsyncGenerator<CatalogEvent> {
    let cursor = after;
    while (!signal.aborted) {
      const batch = await this.log.readAfter(cursor, BATCH);
      for (const event of batch) {
        cursor = event.seq;
        if (matches(event, filter)) yield event;
        if (signal.aborted) return;
      }
      if (batch.length < BATCH) await this.waitForMore(signal);
    }
  }

  private waitForMore(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      const unsubscribe = this.log.onPublished(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

function matches(event: CatalogEvent, filter: EventFilter): boolean {
  if (filter.types && !filter.types.has(event.type)) return false;
  if (filter.namePrefix && !event.name.startsWith(filter.namePrefix)) return false;
  return true;
}
