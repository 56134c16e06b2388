import type { Kysely } from 'kysely';
import type { Tables } from '../../../db/tables.ts';
import { ConflictError } from '../../../errors/conflict-error.ts';
import { InvalidInputError } from '../../../errors/invalid-input-error.ts';
import { PreconditionError } from '../../../errors/precondition-error.ts';
import { ObjectNotFoundError } from '../../../storage/object-store-errors.ts';
import { parseLocation } from '../../../table/object-location.ts';
import type { TableState } from '../../../table/table-operations.ts';
import type { TableIdentifier, TablePointer } from '../../../table/table-pointer-store.ts';
import type { DbTablePointerStore } from '../../../warehouse/db-table-pointer-store.ts';
import type { Warehouse } from '../../../warehouse/warehouse.ts';
import type { DatabaseInfo, PartitionInfo, TableInfo } from '../../catalog-model.ts';
import type { ConnectorWrite, PartitionListRequest, TableReadOptions } from '../../connector.ts';
import { checkNamespace, checkTableName } from '../../../warehouse/warehouse-names.ts';
import { compareCodePoints } from '../../filter/numeric-value.ts';
import { QualifiedName } from '../../qualified-name.ts';
import { listIcebergPartitions, readIcebergPartitions, type IcebergPartition } from './iceberg-partitions.ts';
import { icebergTableInfo } from './iceberg-table-info.ts';
import { ICEBERG_TABLE_TYPE, type IcebergTableSupport } from './iceberg-table-support.ts';
import { SnapshotPartitionCache } from './snapshot-partition-cache.ts';

/** The namespace property the pointer store keeps to mark that a namespace exists; not a parameter. */
const EXISTS_MARKER = 'exists';
/** Measured at about 500 bytes per partition held (two fields, with its URI): some 50 MB at most. */
const DEFAULT_PARTITION_CACHE_SIZE = 100_000;

/**
 * Quarry's Iceberg tables in a Metacat catalog: the warehouse's pointer store is the one source of
 * truth (the same rows the Iceberg REST catalog, PyIceberg and `quarry table` use), and table state
 * is read from the current metadata file (through the warehouse's metadata-file cache). See
 * IcebergTableSupport for the contract. Writes go through the pointer store joined to the
 * mutation's transaction, which records nothing, whether or not the warehouse records its changes:
 * /mds/v1 announces its own.
 */
export class IcebergTables implements IcebergTableSupport {
  private readonly pointers: DbTablePointerStore;
  // Listing, counting and paging through one snapshot's partitions read its manifests once.
  private readonly partitionCache: SnapshotPartitionCache<IcebergPartition>;

  constructor(
    private readonly warehouse: Warehouse<DbTablePointerStore>,
    readonly catalog = 'warehouse',
    partitionCacheSize = DEFAULT_PARTITION_CACHE_SIZE,
  ) {
    this.partitionCache = new SnapshotPartitionCache(partitionCacheSize);
    this.pointers = warehouse.pointers;
  }

  // ---- databases (namespaces)

  async listDatabaseNames(): Promise<string[]> {
    const namespaces = await this.pointers.listNamespaces();
    return foldedNames(namespaces.filter((ns) => ns.length === 1).map((ns) => ns[0]!), (folded) => this.isDatabaseName(folded));
  }

  async databaseExists(name: QualifiedName, db?: Kysely<Tables>): Promise<boolean> {
    return (await this.namespaceFor(name, this.store(db))) !== undefined;
  }

  async getDatabase(name: QualifiedName): Promise<DatabaseInfo | undefined> {
    const ns = await this.namespaceFor(name, this.pointers);
    if (!ns) return undefined;
    const properties = await this.pointers.namespaceProperties(ns).catch(() => ({}) as Record<string, string>);
    const { [EXISTS_MARKER]: _marker, location, ...metadata } = properties;
    return { name, ...(location ? { uri: location } : {}), metadata, audit: {} };
  }

  async createDatabase(write: ConnectorWrite, database: DatabaseInfo): Promise<void> {
    const ns = checkNamespace([database.name.databaseName!], 'database name');
    const store = this.store(write.transaction);
    if (await this.databaseExists(database.name, write.transaction)) throw new ConflictError(`Database ${database.name.toString()} already exists`);
    // A namespace's `location` places the tables Iceberg clients create in it.
    if (database.uri) await this.warehouse.allowed.check(database.uri, 'uri');
    await store.createNamespace(ns, database.uri ? { location: database.uri } : {});
  }

  async deleteDatabase(write: ConnectorWrite, name: QualifiedName): Promise<void> {
    const store = this.store(write.transaction);
    const ns = await this.namespaceFor(name, store);
    if (!ns) return;
    const [table] = await store.listTables(ns);
    if (table) throw new PreconditionError(`Database ${name.toString()} is not empty (it has Iceberg table ${table.name}); delete its tables first`);
    const [child] = await store.listNamespaces(ns);
    if (child) throw new PreconditionError(`Database ${name.toString()} is not empty (it has the Iceberg namespace ${child.join('.')}); drop that first`);
    if (await store.namespaceExists(ns)) await store.dropNamespace(ns);
  }

  // ---- tables

  async listTableNames(database: QualifiedName): Promise<string[]> {
    const ns = await this.namespaceFor(database, this.pointers);
    if (!ns) return [];
    const ids = await this.pointers.listTables(ns);
    return foldedNames(ids.map((id) => id.name), (folded) => this.isTableName(database, folded));
  }

  async tableExists(name: QualifiedName, db?: Kysely<Tables>): Promise<boolean> {
    return (await this.pointerFor(name, this.store(db))) !== undefined;
  }

  async findTables(term: string, limit: number): Promise<QualifiedName[]> {
    const found = await this.pointers.findTables(term, limit);
    return found.flatMap((id) => {
      const [namespace, table] = [id.namespace[0]!.toLowerCase(), id.name.toLowerCase()];
      if (id.namespace.length !== 1 || !this.isDatabaseName(namespace)) return [];
      const database = QualifiedName.ofDatabase(this.catalog, namespace);
      return this.isTableName(database, table) ? [database.withTable(table)] : [];
    });
  }

  async getTable(name: QualifiedName, options: TableReadOptions = {}): Promise<TableInfo | undefined> {
    const pointer = (await this.pointerFor(name, this.pointers))?.pointer;
    if (!pointer) return undefined;
    if (options.metadataLocationOnly) return icebergTableInfo(name, pointer, undefined);
    return icebergTableInfo(name, pointer, await this.read(pointer.metadataLocation), options.includeDetails);
  }

  async createTable(write: ConnectorWrite, table: TableInfo): Promise<TableInfo> {
    const id = strictIdentifier(table.name);
    const location = table.metadata.metadata_location?.trim();
    if (!location) {
      throw new InvalidInputError(
        `Iceberg table ${table.name.toString()} needs metadata.metadata_location, the location of its current metadata file`,
        'metadata.metadata_location',
      );
    }
    const state = await this.readGiven(location, 'metadata_location');
    const store = this.store(write.transaction);
    const existing = await this.namespaceFor(table.name, store);
    // A database made before it had a namespace (or by another node's older version) gets one now.
    if (!existing) await store.createNamespace(id.namespace);
    await store.create({ namespace: existing ?? id.namespace, name: id.name }, location);
    return icebergTableInfo(table.name, { metadataLocation: location, previousMetadataLocation: null, version: 0 }, state);
  }

  async updateTable(write: ConnectorWrite, table: TableInfo): Promise<TableInfo | undefined> {
    const store = this.store(write.transaction);
    const found = await this.pointerFor(table.name, store);
    if (!found) return undefined;
    const { id, pointer: stored } = found;
    const requested = table.metadata;
    const type = requested.table_type?.trim();
    if (type && type.toUpperCase() !== ICEBERG_TABLE_TYPE) {
      throw new InvalidInputError(`Table ${table.name.toString()} is an Iceberg table; metadata.table_type cannot become ${JSON.stringify(type)}`, 'metadata.table_type');
    }
    const next = requested.metadata_location?.trim();
    // Without a new location nothing about the table changes here: its schema, location and
    // properties live in its metadata file and change through Iceberg commits.
    if (!next) return icebergTableInfo(table.name, stored, await this.read(stored.metadataLocation));
    await this.checkLocation(next, 'metadata_location');
    const previous = requested.previous_metadata_location?.trim();
    if (!previous) {
      throw new PreconditionError(
        `Moving Iceberg table ${table.name.toString()} to ${next} needs metadata.previous_metadata_location, the location the change was based on (now ${stored.metadataLocation})`,
      );
    }
    if (previous !== stored.metadataLocation) {
      await this.checkLocation(previous, 'previous_metadata_location');
      if (!(await this.warehouse.io.exists(previous))) {
        throw new InvalidInputError(`metadata.previous_metadata_location ${previous} does not exist, so it cannot be the table's metadata file`, 'metadata.previous_metadata_location');
      }
      throw staleBase(table.name, previous, stored.metadataLocation);
    }
    const state = await this.readGiven(next, 'metadata_location');
    // The compare-and-swap: a concurrent commit from the same base moves the pointer first, and this
    // update then matches no row (on PostgreSQL it waits for that commit and re-checks the row).
    if (!(await store.swap(id, previous, next))) {
      const now = await store.get(id);
      throw staleBase(table.name, previous, now?.metadataLocation ?? '(dropped)');
    }
    return icebergTableInfo(table.name, { metadataLocation: next, previousMetadataLocation: previous, version: stored.version + 1 }, state);
  }

  async deleteTable(write: ConnectorWrite, name: QualifiedName): Promise<TableInfo | undefined> {
    const store = this.store(write.transaction);
    const found = await this.pointerFor(name, store);
    if (!found) return undefined;
    const { id, pointer } = found;
    // The event describes what was dropped; a table whose file is unreadable can still be dropped.
    const state = await this.read(pointer.metadataLocation).catch(() => undefined);
    await store.drop(id);
    return icebergTableInfo(name, pointer, state);
  }

  async renameTable(write: ConnectorWrite, from: QualifiedName, to: QualifiedName): Promise<void> {
    const store = this.store(write.transaction);
    const source = (await this.pointerFor(from, store))?.id ?? strictIdentifier(from);
    const target = strictIdentifier(to);
    // The table stays in the namespace its database name means, whatever that namespace's case.
    const namespace = (await this.namespaceFor(to, store)) ?? target.namespace;
    await store.rename(source, { namespace, name: target.name });
  }

  // ---- partitions

  async listPartitions(name: QualifiedName, request: PartitionListRequest): Promise<PartitionInfo[] | undefined> {
    const state = await this.current(name);
    return state && listIcebergPartitions(await this.partitionsOf(name, state), state.metadata, name, request);
  }

  async countPartitions(name: QualifiedName): Promise<number | undefined> {
    const state = await this.current(name);
    return state && (await this.partitionsOf(name, state)).length;
  }

  // ---- internals

  /** The table's name is in the key too: partition URIs carry it, and a rename keeps the metadata file. */
  private partitionsOf(name: QualifiedName, state: TableState): Promise<readonly IcebergPartition[]> {
    return this.partitionCache.get(`${name.toString()}\u0000${state.metadataLocation}`, () => readIcebergPartitions(state, this.warehouse.io, name));
  }

  /** The pointer store inside a transaction (so the swap commits with Metacat's event), or the root one. */
  private store(db: Kysely<Tables> | undefined): DbTablePointerStore {
    return db ? this.pointers.joining(db) : this.pointers;
  }

  private async current(name: QualifiedName): Promise<TableState | undefined> {
    const pointer = (await this.pointerFor(name, this.pointers))?.pointer;
    return pointer && this.read(pointer.metadataLocation);
  }

  /**
   * The namespace a Metacat database name means. Metacat names are lower case and Iceberg's need not
   * be (PyIceberg or Spark may create `Sales`): the namespace named exactly so wins, else the first, in
   * code-point order, whose name folds to it. Listings show each folded name once, so every name
   * listed leads here. A namespace known only through its children (`a` of `a.b`) exists, as in the
   * REST catalog.
   */
  private async namespaceFor(name: QualifiedName, store: DbTablePointerStore): Promise<string[] | undefined> {
    const ns = namespaceOf(name);
    if (!ns) return undefined;
    if ((await store.namespaceExists(ns)) || (await store.listNamespaces(ns)).length > 0) return ns;
    const [first] = (await store.listNamespaces())
      .filter((candidate) => candidate.length === 1 && candidate[0]!.toLowerCase() === ns[0])
      .map((candidate) => candidate[0]!)
      .sort(compareCodePoints);
    return first === undefined ? undefined : [first];
  }

  /** The pointer a Metacat table name means, by the same rule as `namespaceFor`, with its identifier. */
  private async pointerFor(name: QualifiedName, store: DbTablePointerStore): Promise<{ id: TableIdentifier; pointer: TablePointer } | undefined> {
    const asked = identifierOf(name);
    if (!asked) return undefined;
    // The usual case, and the only one that costs a single query: the names already are Metacat's.
    const pointer = await store.get(asked);
    if (pointer) return { id: asked, pointer };
    const namespace = await this.namespaceFor(name, store);
    if (!namespace) return undefined;
    const folded = (await store.listTables(namespace)).filter((id) => id.name.toLowerCase() === asked.name);
    const match = folded.find((id) => id.name === asked.name) ?? folded.sort((a, b) => compareCodePoints(a.name, b.name))[0];
    const matched = match && (await store.get(match));
    return matched ? { id: match, pointer: matched } : undefined;
  }

  private read(location: string): Promise<TableState> {
    return this.warehouse.metadataFiles.read(location);
  }

  /** Reads a metadata file a client named; every way it can be wrong is a 400 naming the parameter. */
  private async readGiven(location: string, parameter: string): Promise<TableState> {
    await this.checkLocation(location, parameter);
    let state: TableState;
    try {
      state = await this.read(location);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new InvalidInputError(`metadata.${parameter} ${location} does not exist`, `metadata.${parameter}`);
      if (error instanceof InvalidInputError || error instanceof SyntaxError) {
        throw new InvalidInputError(`metadata.${parameter} ${location} is not a readable Iceberg metadata file: ${error.message}`, `metadata.${parameter}`);
      }
      throw error;
    }
    // The file may be inside while the table it describes writes elsewhere; adopting it would let later commits follow.
    await this.warehouse.allowed.checkTable(state.metadata, `location recorded in metadata.${parameter}`);
    return state;
  }

  /** A location a client named: one the file IO can parse, inside the warehouse's allowed locations. */
  private async checkLocation(location: string, parameter: string): Promise<void> {
    checkLocationSyntax(location, parameter);
    await this.warehouse.allowed.check(location, `metadata.${parameter}`);
  }

  /** Whether a (lower-cased) namespace name is one Metacat's grammar accepts as a database name. */
  private isDatabaseName(namespace: string): boolean {
    try {
      return QualifiedName.ofDatabase(this.catalog, namespace).databaseName === namespace;
    } catch {
      return false;
    }
  }

  private isTableName(database: QualifiedName, table: string): boolean {
    try {
      return database.withTable(table).tableName === table;
    } catch {
      return false;
    }
  }
}

function staleBase(name: QualifiedName, previous: string, current: string): PreconditionError {
  return new PreconditionError(
    `Iceberg table ${name.toString()} is at ${current}, not at metadata.previous_metadata_location ${previous}; reload the table and commit again`,
  );
}

function checkLocationSyntax(location: string, parameter: string): void {
  try {
    parseLocation(location);
  } catch {
    throw new InvalidInputError(
      `metadata.${parameter} ${JSON.stringify(location)} is not a metadata file location: expected s3://bucket/… (or s3a://, s3n://), file:/… or file:///… naming a metadata.json file`,
      `metadata.${parameter}`,
    );
  }
}

/** Names as Metacat spells them (lower case), each once, keeping those Metacat's grammar accepts. */
function foldedNames(names: readonly string[], legal: (folded: string) => boolean): string[] {
  return [...new Set(names.map((name) => name.toLowerCase()))].filter(legal).sort(compareCodePoints);
}

/** The namespace of a database (or of a table's database), when its name can be one. */
function namespaceOf(name: QualifiedName): string[] | undefined {
  try {
    return checkNamespace([name.databaseName!]);
  } catch {
    return undefined;
  }
}

/** The pointer identifier of a table name, or undefined when the name cannot be one (no such Iceberg table). */
function identifierOf(name: QualifiedName): TableIdentifier | undefined {
  try {
    return strictIdentifier(name);
  } catch {
    return undefined;
  }
}

/** The pointer identifier of a table name; a name Iceberg cannot hold is a 400 saying why. */
function strictIdentifier(name: QualifiedName): TableIdentifier {
  return { namespace: checkNamespace([name.databaseName!], 'database name'), name: checkTableName(name.tableName!, 'table name') };
}
