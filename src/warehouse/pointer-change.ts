import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import type { TableMetadata } from '../table/table-metadata.ts';
import type { TableIdentifier } from '../table/table-pointer-store.ts';

/**
 * One committed change to the pointer store. `metadata` is the new metadata file's content when the
 * writer had it in hand (every Quarry writer does), so a recorder need not read the file again.
 */
export type PointerChange =
  | { readonly kind: 'table-created'; readonly table: TableIdentifier; readonly metadataLocation: string; readonly metadata?: TableMetadata }
  | {
      readonly kind: 'table-updated';
      readonly table: TableIdentifier;
      readonly previousMetadataLocation: string;
      readonly metadataLocation: string;
      readonly metadata?: TableMetadata;
      /** The previous file's content, when the writer had it. */
      readonly previousMetadata?: TableMetadata;
    }
  | { readonly kind: 'table-dropped'; readonly table: TableIdentifier }
  | { readonly kind: 'table-renamed'; readonly from: TableIdentifier; readonly to: TableIdentifier }
  | { readonly kind: 'namespace-created'; readonly namespace: readonly string[]; readonly properties: Readonly<Record<string, string>> }
  | { readonly kind: 'namespace-updated'; readonly namespace: readonly string[]; readonly updates: Readonly<Record<string, string>>; readonly removals: readonly string[] }
  | { readonly kind: 'namespace-dropped'; readonly namespace: readonly string[] };

/**
 * Writes a durable record of pointer changes (the catalog's event log) in the same database
 * transaction as the changes, so a record exists exactly when its change committed, whichever
 * writer made it: the Iceberg REST catalog, `quarry table`, or a job using the warehouse.
 *
 * `record` runs while the pointer rows are locked, so reading files there holds the lock through
 * every read (on S3, a GET each). Where the store knows the changes before it opens the transaction
 * (swaps and atomic commits), it first calls `prepare` with those same change objects and hands the
 * result to `record`; a change the store could not anticipate gets no preparation, and `record` must
 * then do the work itself. A preparation for a change that then fails is dropped. `record` returns
 * what to do once the transaction has committed (wake this node's followers); that must not throw.
 */
export interface PointerChangeRecorder {
  prepare?(changes: readonly PointerChange[]): Promise<RecordPreparation>;
  record(transaction: Kysely<Tables>, changes: readonly PointerChange[], preparation?: RecordPreparation): Promise<() => void>;
}

/** What a recorder read ahead of a transaction, for the change objects it was given. */
export type RecordPreparation = ReadonlyMap<PointerChange, unknown>;
