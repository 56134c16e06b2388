import type { TableIdentifier } from '../../table/table-pointer-store.ts';

/**
 * What changed in the Iceberg REST catalog, emitted after the change is committed (never for a
 * change that failed or was only staged). `catalog` is the pointer-store catalog name.
 */
export type IcebergCatalogEvent =
  | { type: 'table.created'; catalog: string; table: TableIdentifier; metadataLocation: string; registered: boolean }
  | { type: 'table.updated'; catalog: string; table: TableIdentifier; previousMetadataLocation: string; metadataLocation: string }
  | { type: 'table.dropped'; catalog: string; table: TableIdentifier; metadataLocation: string; purged: boolean }
  | { type: 'table.renamed'; catalog: string; from: TableIdentifier; to: TableIdentifier }
  | { type: 'namespace.created'; catalog: string; namespace: readonly string[]; properties: Readonly<Record<string, string>> }
  | { type: 'namespace.updated'; catalog: string; namespace: readonly string[]; updated: readonly string[]; removed: readonly string[] }
  | { type: 'namespace.dropped'; catalog: string; namespace: readonly string[] };

/**
 * Where the catalog reports its changes, so the Metacat event log (SSE, webhooks) can subscribe.
 * Delivery is after the fact and best effort: a subscriber that throws or rejects is reported to
 * `onError` and never undoes or fails the change. Events of one request are emitted in order.
 */
export interface IcebergCatalogEvents {
  emit(event: IcebergCatalogEvent): void | Promise<void>;
}

export const NO_ICEBERG_CATALOG_EVENTS: IcebergCatalogEvents = { emit() {} };
