import type { Database } from '../db/database.ts';
import type { ConnectorWrite } from './connector.ts';
import type { CatalogEvent, CatalogEventDraft, CatalogEventType } from './events/catalog-event.ts';
import type { CatalogEventLog } from './events/event-log.ts';
import type { QualifiedName } from './qualified-name.ts';
import type { RequestContext } from './request-context.ts';

/** Collects the events of one change, to be written with it. */
export interface EventSink {
  emit(type: CatalogEventType, name: QualifiedName, payload: Record<string, unknown>): void;
}

/**
 * Runs each catalog change as one metadata-database transaction: the connector's write (through
 * `write.transaction`), user metadata, tags and the change's events commit together or not at all.
 * After the commit, local followers (event streams, webhook dispatcher) are woken.
 */
export class CatalogMutations {
  constructor(
    private readonly database: Database,
    private readonly log: CatalogEventLog,
    private readonly webhooksFor: (event: CatalogEvent) => readonly string[],
  ) {}

  async run<T>(context: RequestContext, work: (write: ConnectorWrite, events: EventSink) => Promise<T>): Promise<T> {
    const now = Date.now();
    let committed: CatalogEvent[] = [];
    const result = await this.database.db.transaction().execute(async (transaction) => {
      const drafts: CatalogEventDraft[] = [];
      const events: EventSink = {
        emit: (type, name, payload) =>
          drafts.push({
            type,
            name: name.toString(),
            catalog: name.catalogName,
            timestamp: new Date(now).toISOString(),
            user: context.user,
            ...(context.requestId ? { requestId: context.requestId } : {}),
            payload,
          }),
      };
      const value = await work({ user: context.user, transaction, now }, events);
      committed = await this.log.append(transaction, drafts, this.webhooksFor);
      return value;
    });
    this.log.published(committed);
    return result;
  }
}
