/** Every kind of change the catalog announces. */
export const CATALOG_EVENT_TYPES = [
  'CATALOG_UPDATE',
  'DATABASE_CREATE',
  'DATABASE_UPDATE',
  'DATABASE_DELETE',
  'TABLE_CREATE',
  'TABLE_UPDATE',
  'TABLE_DELETE',
  'TABLE_RENAME',
  'PARTITION_ADD',
  'PARTITION_DELETE',
  'TAGS_UPDATE',
] as const;

/** At most this many partition names travel in one event (Metacat's default); counts are always exact. */
export const EVENT_NAME_LIMIT = 200;

export type CatalogEventType = (typeof CATALOG_EVENT_TYPES)[number];

/**
 * The envelope every subscriber receives (SSE data, webhook body), after Metacat's notification
 * envelope `{source, id, timestamp, requestId, name, type, payload}`. `id` is unique per event (for
 * de-duplication: delivery is at least once); `seq` orders events in commit order across all nodes.
 */
export interface CatalogEvent {
  readonly source: 'quarry';
  readonly id: string;
  readonly seq: number;
  readonly type: CatalogEventType;
  /** Qualified name of the entity that changed, `c/d/t`. */
  readonly name: string;
  readonly catalog: string;
  /** ISO-8601 time of the change. */
  readonly timestamp: string;
  readonly user: string;
  readonly requestId?: string;
  readonly payload: Record<string, unknown>;
}

/** An event before the log gives it an id and a sequence number. */
export type CatalogEventDraft = Omit<CatalogEvent, 'id' | 'seq' | 'source'>;
