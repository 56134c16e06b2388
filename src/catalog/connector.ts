import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import type { DatabaseInfo, PartitionInfo, TableInfo } from './catalog-model.ts';
import type { FilterNode } from './filter/filter-ast.ts';
import type { QualifiedName } from './qualified-name.ts';

/**
 * What a connector can do. The service checks these before calling: an operation whose flag is false
 * is answered 501 (Metacat's NotSupported) without reaching the connector, and the optional method
 * for it may be absent.
 */
export interface ConnectorCapabilities {
  readonly createDatabase: boolean;
  readonly updateDatabase: boolean;
  readonly deleteDatabase: boolean;
  readonly createTable: boolean;
  readonly updateTable: boolean;
  readonly deleteTable: boolean;
  readonly renameTable: boolean;
  /** Partitions can be listed and counted. */
  readonly listPartitions: boolean;
  /** Partitions can be saved and deleted. */
  readonly savePartitions: boolean;
}

/**
 * The context of a change. `transaction` is the metadata-database transaction in which the service
 * also records user metadata and the change's event: a connector that keeps state in the metadata
 * database must write through it, so the change and its event commit together or not at all.
 * Connectors whose state is elsewhere ignore it.
 */
export interface ConnectorWrite {
  readonly user: string;
  readonly transaction: Kysely<Tables>;
  /** The time of the change (epoch ms), the same for everything one request writes. */
  readonly now: number;
}

export interface TableReadOptions {
  /** Include detail such as Iceberg's metadata_content. */
  readonly includeDetails?: boolean;
  /** Only the pointer parameters are needed (Iceberg's fast refresh path): fields may be left empty. */
  readonly metadataLocationOnly?: boolean;
}

export type PartitionSortField = 'name' | 'createdDate' | 'lastModifiedDate' | 'uri';

export interface PartitionListRequest {
  /** Parsed filter; the connector binds it to the table's partition keys. */
  readonly filter?: FilterNode;
  /** Only partitions with these names. */
  readonly names?: readonly string[];
  readonly sortBy?: PartitionSortField;
  readonly sortOrder?: 'ASC' | 'DESC';
  readonly offset?: number;
  readonly limit?: number;
}

export interface PartitionSaveRequest {
  readonly partitions: readonly PartitionInfo[];
  /** Names of partitions to drop in the same change; names that do not exist are ignored. */
  readonly deletes: readonly string[];
  /** Update an existing partition in place (keeping its parameters) instead of replacing it. */
  readonly alterIfExists: boolean;
}

export interface PartitionSaveResult {
  /** Names of partitions that did not exist. */
  readonly added: string[];
  /** Names of partitions that existed with another location. */
  readonly updated: string[];
  /** Names actually dropped through `deletes`. */
  readonly deleted: string[];
}

/**
 * One source of metadata behind a catalog: the warehouse's own tables, a PostgreSQL or MariaDB
 * server, a SQLite file. Every name a connector receives has been validated and normalised
 * (QualifiedName) and belongs to this connector's catalog. Read methods return undefined for a
 * missing entity; write methods throw the errors of src/errors (NotFoundError, ConflictError,
 * InvalidInputError, PreconditionError, …), which the HTTP layer maps to Metacat's status codes.
 */
export interface Connector {
  /** The connector type, shown as `connectorName` / `type` by the API. */
  readonly type: string;
  readonly capabilities: ConnectorCapabilities;

  listDatabaseNames(): Promise<string[]>;
  getDatabase(name: QualifiedName): Promise<DatabaseInfo | undefined>;
  createDatabase?(write: ConnectorWrite, database: DatabaseInfo): Promise<void>;
  updateDatabase?(write: ConnectorWrite, database: DatabaseInfo): Promise<void>;
  /** Throws PreconditionError when the database still has tables. */
  deleteDatabase?(write: ConnectorWrite, name: QualifiedName): Promise<void>;

  /** Table names of a database (undefined when the database does not exist). */
  listTableNames(database: QualifiedName): Promise<string[] | undefined>;
  getTable(name: QualifiedName, options?: TableReadOptions): Promise<TableInfo | undefined>;
  /**
   * Tables whose name contains `term` (case-insensitive), across databases, at most `limit`, for
   * search. Connectors that cannot search cheaply return [].
   */
  findTables(term: string, limit: number): Promise<QualifiedName[]>;
  createTable?(write: ConnectorWrite, table: TableInfo): Promise<TableInfo>;
  /** Applies the given parts of `table` to the stored table and returns the result. */
  updateTable?(write: ConnectorWrite, table: TableInfo): Promise<TableInfo>;
  /** Returns what was deleted, or undefined when there was no such table. */
  deleteTable?(write: ConnectorWrite, name: QualifiedName): Promise<TableInfo | undefined>;
  renameTable?(write: ConnectorWrite, from: QualifiedName, to: QualifiedName): Promise<void>;

  listPartitions?(table: QualifiedName, request: PartitionListRequest): Promise<PartitionInfo[]>;
  countPartitions?(table: QualifiedName): Promise<number>;
  savePartitions?(write: ConnectorWrite, table: QualifiedName, request: PartitionSaveRequest): Promise<PartitionSaveResult>;
  /** Drops the named partitions; throws NotFoundError (and drops none) when one does not exist. */
  deletePartitions?(write: ConnectorWrite, table: QualifiedName, names: readonly string[]): Promise<void>;

  /** Releases connections. */
  close(): Promise<void>;
}
