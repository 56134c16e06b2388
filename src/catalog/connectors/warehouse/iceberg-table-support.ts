import type { Kysely } from 'kysely';
import type { Tables } from '../../../db/tables.ts';
import { InvalidInputError } from '../../../errors/invalid-input-error.ts';
import type { DatabaseInfo, PartitionInfo, TableInfo } from '../../catalog-model.ts';
import type { ConnectorWrite, PartitionListRequest, TableReadOptions } from '../../connector.ts';
import type { QualifiedName } from '../../qualified-name.ts';

/** The `table_type` parameter value that marks an Iceberg table (compared upper-cased). */
export const ICEBERG_TABLE_TYPE = 'ICEBERG';
/** Table parameters that belong to Iceberg's pointer protocol; on any other table they are a 400. */
export const ICEBERG_POINTER_PARAMS = ['metadata_location', 'previous_metadata_location'] as const;

/** Saving or deleting partitions of an Iceberg table: they come from its snapshots, so this is a 400. */
export function icebergPartitionsAreCommitted(name: QualifiedName, change: 'saved' | 'deleted'): InvalidInputError {
  return new InvalidInputError(
    `Table ${name.toString()} is an Iceberg table: its partitions come from its snapshots and change through Iceberg commits (append, overwrite, delete), so they cannot be ${change} here`,
    'partitions',
  );
}

/**
 * The seam where Quarry's Iceberg tables join one warehouse catalog (the one named by `catalog`).
 *
 * Iceberg tables have one source of truth: the table pointers the Iceberg REST catalog, PyIceberg and
 * Quarry's own writers use (`iceberg_tables`, `iceberg_namespace_properties`). The warehouse
 * connector keeps its Hive-style tables in `catalog_*` rows and asks this seam for the rest: a
 * namespace is a database, a pointer is a table whose state lives in its current metadata file.
 *
 * Names: a database is a one-level namespace whose name is already a legal Metacat name (lower case);
 * other namespaces and tables are not shown.
 *
 * Every `write` method runs inside the service's transaction and must change the pointer store
 * through `write.transaction` only, so the change and Metacat's event commit together (on SQLite
 * the root handle would also wait for the transaction that waits for it). Methods that take an
 * optional `db` read through it when given.
 */
export interface IcebergTableSupport {
  /** The Metacat catalog these namespaces and tables appear in. */
  readonly catalog: string;

  /** Databases that exist as namespaces, sorted. */
  listDatabaseNames(): Promise<string[]>;
  databaseExists(name: QualifiedName, db?: Kysely<Tables>): Promise<boolean>;
  /** A namespace as a database: its properties as parameters, `location` as the URI. */
  getDatabase(name: QualifiedName): Promise<DatabaseInfo | undefined>;
  /** Creates the namespace of a new database (InvalidInputError when the name cannot be a namespace). */
  createDatabase(write: ConnectorWrite, database: DatabaseInfo): Promise<void>;
  /**
   * Removes the database's namespace, if there is one; PreconditionError while it holds Iceberg
   * tables or child namespaces.
   */
  deleteDatabase(write: ConnectorWrite, name: QualifiedName): Promise<void>;

  /** Iceberg table names of a database, sorted. */
  listTableNames(database: QualifiedName): Promise<string[]>;
  tableExists(name: QualifiedName, db?: Kysely<Tables>): Promise<boolean>;
  findTables(term: string, limit: number): Promise<QualifiedName[]>;
  /** The table from its current metadata file (or only its pointer, with `metadataLocationOnly`). */
  getTable(name: QualifiedName, options?: TableReadOptions): Promise<TableInfo | undefined>;

  /** Registers `metadata.metadata_location` as a new table; the caller has checked the database and the name. */
  createTable(write: ConnectorWrite, table: TableInfo): Promise<TableInfo>;
  /**
   * Metacat's commit protocol: moves the pointer from `previous_metadata_location` to
   * `metadata_location` with a compare-and-swap. Undefined when there is no such Iceberg table.
   */
  updateTable(write: ConnectorWrite, table: TableInfo): Promise<TableInfo | undefined>;
  /** Drops the pointer (the files stay); undefined when there was no such table. */
  deleteTable(write: ConnectorWrite, name: QualifiedName): Promise<TableInfo | undefined>;
  /** Moves the pointer; the caller has checked that the target name is free in both stores. */
  renameTable(write: ConnectorWrite, from: QualifiedName, to: QualifiedName): Promise<void>;

  /** Partitions of the current snapshot; undefined when there is no such Iceberg table. */
  listPartitions(name: QualifiedName, request: PartitionListRequest): Promise<PartitionInfo[] | undefined>;
  countPartitions(name: QualifiedName): Promise<number | undefined>;
}
