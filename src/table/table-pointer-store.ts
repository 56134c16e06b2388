import type { TableMetadata } from './table-metadata.ts';

/** A table's name within a catalog: a namespace path (one or more levels) and a table name. */
export interface TableIdentifier {
  readonly namespace: readonly string[];
  readonly name: string;
}

/** Where a table's current metadata file is, as the pointer store holds it. */
export interface TablePointer {
  readonly metadataLocation: string;
  readonly previousMetadataLocation: string | null;
  /** Incremented by every successful swap. */
  readonly version: number;
}

/**
 * The atomic pointer from a table name to its current metadata file: the one piece of table state
 * outside the object store (Iceberg's "metastore tables" commit model).
 *
 * Contract:
 * - `swap` is a compare-and-swap: it moves the pointer from `expected` to `next` only if the pointer
 *   is `expected` at that instant, and answers whether it did. Two concurrent swaps from the same
 *   `expected` never both succeed.
 * - When `swap` cannot tell whether the change was applied (the connection broke mid-statement) it
 *   throws; callers then re-read the pointer to find out, and must not delete `next` until they know.
 * - `create` fails with TableExistsError if the name is taken; `get` answers undefined for a missing
 *   table.
 */
export interface TablePointerStore {
  /** The catalog these tables belong to (PyIceberg's `catalog_name`). */
  readonly catalogName: string;
  get(id: TableIdentifier): Promise<TablePointer | undefined>;
  /** `metadata`, the file's content when the caller has it, lets a store describe the change without reading it. */
  create(id: TableIdentifier, metadataLocation: string, metadata?: TableMetadata): Promise<void>;
  /** `contents`: both files' content when the caller has them, for the same reason. */
  swap(id: TableIdentifier, expected: string, next: string, contents?: SwapContents): Promise<boolean>;
  /**
   * Moves or creates several pointers in one transaction: all of them, or none. A pointer that is not
   * at its `expected` location fails the whole change with LostRaceError, a name taken by a create
   * with TableExistsError, a create into a missing namespace with NoSuchNamespaceError; in each case
   * nothing changed (on a store inside a caller's transaction, the error rolls that back too). When
   * it cannot tell whether the transaction committed it throws otherwise, and callers re-read the
   * pointers to find out, as after `swap`.
   */
  swapAll(updates: readonly PointerUpdate[]): Promise<void>;
  /** Removes the pointer (the files stay); answers whether a table was there. */
  drop(id: TableIdentifier): Promise<boolean>;
  rename(from: TableIdentifier, to: TableIdentifier): Promise<void>;
  listTables(namespace: readonly string[]): Promise<TableIdentifier[]>;

  createNamespace(namespace: readonly string[], properties?: Record<string, string>): Promise<void>;
  namespaceExists(namespace: readonly string[]): Promise<boolean>;
  /** Namespaces directly below `parent` (top-level ones when `parent` is empty). */
  listNamespaces(parent?: readonly string[]): Promise<string[][]>;
  namespaceProperties(namespace: readonly string[]): Promise<Record<string, string>>;
  updateNamespaceProperties(namespace: readonly string[], updates: Record<string, string>, removals: readonly string[]): Promise<void>;
  /** Fails with a conflict if the namespace still holds tables. */
  dropNamespace(namespace: readonly string[]): Promise<void>;
}

/** One pointer of a multi-table change. */
export interface PointerUpdate {
  readonly id: TableIdentifier;
  /** The metadata location the pointer must be at; undefined creates the table. */
  readonly expected: string | undefined;
  readonly next: string;
  /** The files' content when the caller has them (`expected` undefined for a create). */
  readonly contents?: { readonly expected?: TableMetadata; readonly next: TableMetadata };
}

/** What the two metadata files of a swap hold. */
export interface SwapContents {
  readonly expected: TableMetadata;
  readonly next: TableMetadata;
}

export function formatIdentifier(id: TableIdentifier): string {
  return [...id.namespace, id.name].join('.');
}

/** Parses `ns.table` or `ns1.ns2.table` (the last part is the table). */
export function parseIdentifier(text: string): TableIdentifier {
  const parts = text.split('.');
  return { namespace: parts.slice(0, -1), name: parts[parts.length - 1] };
}
