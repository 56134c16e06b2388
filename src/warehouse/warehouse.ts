import type { S3Config } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import { FileIO } from '../table/file-io.ts';
import type { PartitionDeclaration } from '../table/partition-spec.ts';
import { PartitionSpec } from '../table/partition-spec.ts';
import { Schema, type ColumnDefinition } from '../table/schema.ts';
import { SortOrder, type SortDeclaration } from '../table/sort-order.ts';
import { NoSuchTableError, TableExistsError } from '../table/table-errors.ts';
import { newTableMetadata } from '../table/metadata-builder.ts';
import { encodeMetadataFile } from '../table/metadata-file.ts';
import { nextMetadataLocation, PointerTableOperations, readMetadataFile, StaticTableOperations } from '../table/table-operations.ts';
import { formatIdentifier, type TableIdentifier, type TablePointerStore } from '../table/table-pointer-store.ts';
import { Table } from '../table/table.ts';
import { allowedLocationsOf, type AllowedLocations } from './allowed-locations.ts';
import { DbTablePointerStore, namespaceString } from './db-table-pointer-store.ts';
import { MetadataFileCache } from './metadata-file-cache.ts';
import type { PointerChangeRecorder } from './pointer-change.ts';

export interface CreateTableRequest {
  /** Columns (ids assigned 1, 2, …) or a ready Schema. */
  schema: readonly ColumnDefinition[] | Schema;
  partitionBy?: readonly PartitionDeclaration[];
  sortBy?: readonly SortDeclaration[];
  properties?: Record<string, string>;
  /** Defaults to `<warehouse>/<namespace>.db/<name>`, PyIceberg's SqlCatalog layout. */
  location?: string;
}

/**
 * Quarry's Iceberg tables: names in a TablePointerStore, files under the warehouse root. The entry
 * point for creating, loading, registering and dropping tables; the catalog builds on it.
 *
 * Whether pointer changes are recorded (as the catalog's events) is the pointer store's choice, made
 * when the warehouse is opened (`recorder`) or derived from an open one with `recording`; both
 * share the files, the metadata-file cache and the pointer rows.
 */
export class Warehouse<P extends TablePointerStore = TablePointerStore> {
  constructor(
    readonly pointers: P,
    readonly io: FileIO,
    /** Root URI under which new tables get their folders (`file:///…` or `s3://bucket/prefix`). */
    readonly root: string,
    /** Metadata files read by location, shared by everything that reads this warehouse's tables. */
    readonly metadataFiles = new MetadataFileCache(io),
    /**
     * Where a client may place a table's files (src/warehouse/allowed-locations.ts): checked where a
     * location enters (create, register); `io`'s guard enforces it again on every file access.
     */
    readonly allowed: AllowedLocations = allowedLocationsOf(root),
  ) {}

  /**
   * The warehouse of a configuration: pointers in `database` under `catalogName`, files in
   * config.warehouse, and no file access outside it and `allowedLocations` (config.warehouseAllowedLocations).
   */
  static open(args: {
    database: Database;
    warehouse: string;
    s3: S3Config;
    allowedLocations?: readonly string[];
    catalogName?: string;
    cacheDir?: string;
    recorder?: PointerChangeRecorder;
  }): Warehouse<DbTablePointerStore> {
    const root = args.warehouse.replace(/\/+$/, '');
    const allowed = allowedLocationsOf(root, args.allowedLocations);
    const io = new FileIO((store) => openObjectStore(store, args.s3), args.cacheDir, allowed);
    return new Warehouse(new DbTablePointerStore(args.database, args.catalogName ?? 'quarry', args.recorder), io, root, undefined, allowed);
  }

  /** This warehouse with every pointer change recorded by `recorder` in the change's own transaction. */
  recording(this: Warehouse<DbTablePointerStore>, recorder: PointerChangeRecorder): Warehouse<DbTablePointerStore> {
    return new Warehouse(this.pointers.recordingWith(recorder), this.io, this.root, this.metadataFiles, this.allowed);
  }

  /** The folder a namespace's tables go in unless they name one (PyIceberg's `<warehouse>/<ns>.db` layout). */
  namespaceLocation(namespace: readonly string[]): string {
    return `${this.root}/${namespaceString(namespace)}.db`;
  }

  defaultLocation(id: TableIdentifier): string {
    return `${this.namespaceLocation(id.namespace)}/${id.name}`;
  }

  /**
   * Creates a table: validates schema, partition spec and sort order, writes the first metadata file
   * and inserts the pointer. The namespace is created if missing. Nothing is left behind on failure.
   */
  async createTable(id: TableIdentifier, request: CreateTableRequest): Promise<Table> {
    const schema = request.schema instanceof Schema ? request.schema : Schema.fromColumns(request.schema);
    const spec = PartitionSpec.build(schema, request.partitionBy ?? []);
    const sortOrder = SortOrder.build(schema, request.sortBy ?? []);
    const metadata = newTableMetadata({ location: request.location ?? this.defaultLocation(id), schema, spec, sortOrder, properties: request.properties });
    await this.allowed.checkTable(metadata);
    if (await this.pointers.get(id)) throw new TableExistsError(formatIdentifier(id));
    if (!(await this.pointers.namespaceExists(id.namespace))) await this.pointers.createNamespace(id.namespace).catch(() => undefined);
    const location = nextMetadataLocation(metadata, undefined);
    await this.io.write(location, encodeMetadataFile(location, metadata), { createOnly: true });
    try {
      await this.pointers.create(id, location, metadata);
    } catch (error) {
      await this.io.delete(location).catch(() => undefined);
      throw error;
    }
    return new Table(new PointerTableOperations(this.pointers, id, this.io, { metadata, metadataLocation: location }));
  }

  async loadTable(id: TableIdentifier): Promise<Table> {
    const ops = new PointerTableOperations(this.pointers, id, this.io);
    await ops.refresh();
    return new Table(ops);
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return (await this.pointers.get(id)) !== undefined;
  }

  /** Adopts an existing metadata file (written by another engine) as a table of this warehouse. */
  async registerTable(id: TableIdentifier, metadataLocation: string): Promise<Table> {
    await this.allowed.check(metadataLocation, 'metadata-location');
    const state = await readMetadataFile(this.io, metadataLocation);
    await this.allowed.checkTable(state.metadata, 'location recorded in metadata-location');
    await this.pointers.create(id, metadataLocation, state.metadata);
    return new Table(new PointerTableOperations(this.pointers, id, this.io, state));
  }

  /** A read-only table straight from a metadata file. */
  async staticTable(metadataLocation: string): Promise<Table> {
    await this.allowed.check(metadataLocation, 'metadata-location');
    const ops = new StaticTableOperations(metadataLocation, this.io);
    await ops.refresh();
    return new Table(ops);
  }

  /** Drops the pointer; with `purge`, also deletes every file under the table's location. */
  async dropTable(id: TableIdentifier, options: { purge?: boolean } = {}): Promise<void> {
    const table = options.purge ? await this.loadTable(id) : undefined;
    // A purge deletes everything under the location: a table recorded at a root (before the rule) would take the root with it.
    if (table) await this.allowed.checkTable(table.metadata());
    if (!(await this.pointers.drop(id))) throw new NoSuchTableError(formatIdentifier(id));
    if (table) for (const f of await this.io.list(table.location())) await this.io.delete(f.uri);
  }

  async listTables(namespace: readonly string[]): Promise<TableIdentifier[]> {
    if (namespace.length === 0) throw new InvalidInputError('Name a namespace to list its tables', 'namespace');
    return this.pointers.listTables(namespace);
  }
}
