import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.ts';
import type { CatalogEvent, CatalogEventDraft } from './catalog-event.ts';

/**
 * The catalog's event log and webhook outbox, in the metadata database.
 *
 * `append` runs inside the transaction of the change it describes, so an event exists exactly when
 * its change committed, and survives restarts. Sequence numbers come from one counter row whose
 * update row-locks it until commit: concurrent writers get numbers in commit order, so a reader that
 * has seen number n has seen every number below it (no gaps appear later). Delivery rows for the
 * webhooks that want an event are written in the same transaction.
 */
export class CatalogEventLog {
  private readonly appended = new EventEmitter();

  constructor(private readonly db: Kysely<Tables>) {
    this.appended.setMaxListeners(0);
  }

  async append(trx: Kysely<Tables>, drafts: readonly CatalogEventDraft[], webhooksFor: (event: CatalogEvent) => readonly string[]): Promise<CatalogEvent[]> {
    if (drafts.length === 0) return [];
    const counter = await trx
      .updateTable('catalog_event_sequence')
      .set((eb) => ({ last_seq: eb('last_seq', '+', drafts.length) }))
      .where('id', '=', 1)
      .returning('last_seq')
      .executeTakeFirstOrThrow();
    const first = Number(counter.last_seq) - drafts.length + 1;
    const events: CatalogEvent[] = drafts.map((draft, i) => ({ source: 'quarry', id: randomUUID(), seq: first + i, ...draft }));
    await trx
      .insertInto('catalog_event')
      .values(
        events.map((event) => ({
          seq: event.seq,
          id: event.id,
          type: event.type,
          name: event.name,
          catalog: event.catalog,
          body: JSON.stringify(event),
          created_at: Date.parse(event.timestamp),
        })),
      )
      .execute();
    const deliveries = events.flatMap((event) =>
      webhooksFor(event).map((webhook) => ({
        webhook,
        event_seq: event.seq,
        status: 'pending' as const,
        attempts: 0,
        next_attempt_at: Date.parse(event.timestamp),
        claimed_until: null,
        last_error: null,
        delivered_at: null,
      })),
    );
    if (deliveries.length > 0) await trx.insertInto('catalog_event_delivery').values(deliveries).execute();
    return events;
  }

  /** Tells this node's followers (event streams, the webhook dispatcher) that events were committed. */
  published(events: readonly CatalogEvent[]): void {
    if (events.length > 0) this.appended.emit('events', events);
  }

  /** Calls `listener` after each local commit of events; returns the unsubscribe function. */
  onPublished(listener: (events: readonly CatalogEvent[]) => void): () => void {
    this.appended.on('events', listener);
    return () => this.appended.off('events', listener);
  }

  async readAfter(seq: number, limit: number): Promise<CatalogEvent[]> {
    const rows = await this.db.selectFrom('catalog_event').select('body').where('seq', '>', seq).orderBy('seq').limit(limit).execute();
    return rows.map((row) => JSON.parse(row.body) as CatalogEvent);
  }

  async read(seq: number): Promise<CatalogEvent | undefined> {
    const row = await this.db.selectFrom('catalog_event').select('body').where('seq', '=', seq).executeTakeFirst();
    return row ? (JSON.parse(row.body) as CatalogEvent) : undefined;
  }

  async lastSeq(): Promise<number> {
    const row = await this.db.selectFrom('catalog_event_sequence').select('last_seq').where('id', '=', 1).executeTakeFirstOrThrow();
    return Number(row.last_seq);
  }

  /** Forgets events older than `before` (epoch ms) that no webhook still waits for. */
  async prune(before: number): Promise<void> {
    await this.db.deleteFrom('catalog_event_delivery').where('status', '!=', 'pending').where('next_attempt_at', '<', before).execute();
    await this.db
      .deleteFrom('catalog_event')
      .where('created_at', '<', before)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('catalog_event_delivery as d').select('d.event_seq').whereRef('d.event_seq', '=', 'catalog_event.seq').where('d.status', '=', 'pending'))),
      )
      .execute();
  }
}
