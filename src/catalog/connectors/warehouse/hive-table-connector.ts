import { sql, type Kysely, type Selectable } from 'kysely';
import type { DialectAdapter } from '../../../db/adapters/dialect-adapter.ts';
import type { Database } from '../../../db/database.ts';
import type { Tables } from '../../../db/tables.ts';
import { ConflictError } from '../../../errors/conflict-error.ts';
import { InvalidInputError } from '../../../errors/invalid-input-error.ts';
import { NotFoundError } from '../../../errors/not-found-error.ts';
import { PreconditionError } from '../../../errors/precondition-error.ts';
import { UnsupportedError } from '../../../errors/unsupported-error.ts';
import {
  partitionKeysOf,
  type DatabaseInfo,
  type FieldInfo,
  type PartitionInfo,
  type StorageInfo,
  type TableInfo,
  type ViewInfo,
} from '../../catalog-model.ts';
import type {
  ConnectorWrite,
  PartitionListRequest,
  PartitionSaveRequest,
  PartitionSaveResult,
} from '../../connector.ts';
import { EVERY_CAPABILITY, type WarehouseMember } from './warehouse-member.ts';
import { readJson, writeJson } from '../../json-column.ts';
import { QualifiedName } from '../../qualified-name.ts';
import { ICEBERG_POINTER_PARAMS, ICEBERG_TABLE_TYPE, icebergPartitionsAreCommitted } from './iceberg-table-support.ts';
import { normalizeUri, PartitionStore, type PartitionedTable } from './partition-store.ts';

type TableRow = Selectable<Tables['catalog_table']>;


/**
 * Quarry's own catalog of Hive-style tables: databases, tables (schema fields, storage location and
 * format, parameters) and their partitions, stored in the metadata database (`catalog_*` rows).
 * Several catalogs may use this connector; each sees only its own rows. In the `warehouse` catalog
 * it is one member of WarehouseConnector, beside the warehouse's Iceberg tables.
 */
export class HiveTableConnector implements WarehouseMember {
  readonly type = 'warehouse';
  readonly capabilities = EVERY_CAPABILITY;
  private readonly db: Kysely<Tables>;
  private readonly partitions: PartitionStore;
  private readonly adapter: DialectAdapter;

  constructor(
    private readonly catalog: string,
    database: Database,
  ) {
    this.db = database.db;
    this.adapter = database.adapter;
    this.partitions = new PartitionStore(this.db, database.adapter);
  }

  async hasDatabase(name: QualifiedName, db: Kysely<Tables> = this.db): Promise<boolean> {
    return (await this.findDatabaseRow(db, name.databaseName!)) !== undefined;
  }

  async hasTable(name: QualifiedName, db: Kysely<Tables> = this.db): Promise<boolean> {
    return (await this.findTableRow(db, name)) !== undefined;
  }

  async listDatabaseNames(): Promise<string[]> {
    const rows = await this.db.selectFrom('catalog_database').select('name').where('catalog', '=', this.catalog).orderBy('name').execute();
    return rows.map((row) => row.name);
  }

  async getDatabase(name: QualifiedName): Promise<DatabaseInfo | undefined> {
    return this.rowDatabase(name, this.db);
  }

  async createDatabase(write: ConnectorWrite, database: DatabaseInfo): Promise<void> {
    if (await this.hasDatabase(database.name, write.transaction)) throw new ConflictError(`Database ${database.name.toString()} already exists`);
    await this.insertDatabaseRow(write, database);
  }

  async updateDatabase(write: ConnectorWrite, database: DatabaseInfo): Promise<void> {
    const current = await this.rowDatabase(database.name, write.transaction);
    if (!current) throw new NotFoundError(`Database ${database.name.toString()} does not exist`);
    await write.transaction
      .updateTable('catalog_database')
      .set({
        uri: normalizeUri(database.uri) ?? current.uri ?? null,
        params: JSON.stringify({ ...current.metadata, ...database.metadata }),
        updated_by: write.user,
        updated_at: write.now,
      })
      .where('catalog', '=', this.catalog)
      .where('name', '=', database.name.databaseName!)
      .execute();
  }

  async deleteDatabase(write: ConnectorWrite, name: QualifiedName): Promise<void> {
    const row = await this.findDatabaseRow(write.transaction, name.databaseName!);
    if (!row) throw new NotFoundError(`Database ${name.toString()} does not exist`);
    const table = await write.transaction.selectFrom('catalog_table').select('name').where('database_id', '=', row.id).executeTakeFirst();
    if (table) throw new PreconditionError(`Database ${name.toString()} is not empty (it has table ${table.name}); delete its tables first`);
    await write.transaction.deleteFrom('catalog_database').where('id', '=', row.id).execute();
  }

  async listTableNames(database: QualifiedName): Promise<string[] | undefined> {
    const db = await this.findDatabaseRow(this.db, database.databaseName!);
    if (!db) return undefined;
    const rows = await this.db.selectFrom('catalog_table').select('name').where('database_id', '=', db.id).orderBy('name').execute();
    return rows.map((row) => row.name);
  }

  async getTable(name: QualifiedName): Promise<TableInfo | undefined> {
    const row = await this.findTableRow(this.db, name);
    return row ? toTable(name, row) : undefined;
  }

  async findTables(term: string, limit: number): Promise<QualifiedName[]> {
    const pattern = `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.db
      .selectFrom('catalog_table')
      .select(['database_name', 'name'])
      .where('catalog', '=', this.catalog)
      .where(sql<boolean>`lower(name) like ${pattern} escape '\\'`)
      .orderBy('database_name')
      .orderBy('name')
      .limit(limit)
      .execute();
    return rows.map((row) => QualifiedName.ofTable(this.catalog, row.database_name, row.name));
  }

  async createTable(write: ConnectorWrite, table: TableInfo): Promise<TableInfo> {
    const trx = write.transaction;
    const database = await this.findDatabaseRow(trx, table.name.databaseName!);
    if (!database) throw new NotFoundError(`Database ${QualifiedName.ofDatabase(this.catalog, table.name.databaseName!).toString()} does not exist`);
    if (await this.findTableRow(trx, table.name)) throw new ConflictError(`Table ${table.name.toString()} already exists`);
    if (isIceberg(table)) {
      throw new UnsupportedError(`Catalog ${this.catalog} keeps Hive-style tables only; Iceberg tables live in the warehouse's Iceberg catalog (Metacat catalog 'warehouse')`);
    }
    const toStore = normalizeTable(table, write.user);
    rejectIcebergParams(toStore);
    await this.unique(`Table ${table.name.toString()} already exists`, () =>
      trx
        .insertInto('catalog_table')
        .values({
          database_id: database.id,
          catalog: this.catalog,
          database_name: table.name.databaseName!,
          name: table.name.tableName!,
          table_type: tableType(toStore),
          fields: JSON.stringify(toStore.fields),
          serde: writeJson(toStore.serde),
          params: JSON.stringify(toStore.metadata),
          view: writeJson(toStore.view),
          created_by: write.user,
          created_at: write.now,
          updated_by: write.user,
          updated_at: write.now,
          version: 0,
        })
        .execute(),
    );
    return (await this.readTable(trx, table.name))!;
  }

  async updateTable(write: ConnectorWrite, table: TableInfo): Promise<TableInfo> {
    const trx = write.transaction;
    const row = await this.findTableRow(trx, table.name);
    if (!row) throw new NotFoundError(`Table ${table.name.toString()} does not exist`);
    const stored = toTable(table.name, row);
    const next: TableInfo = {
      ...stored,
      fields: table.fields.length > 0 ? normalizeFields(table.fields) : stored.fields,
      serde: table.serde ? mergeStorage(stored.serde, table.serde) : stored.serde,
      metadata: { ...stored.metadata, ...table.metadata },
      view: table.view ?? stored.view,
    };
    if (isIceberg(stored)) {
      // A row marked ICEBERG predates the pointer store; its pointer cannot be committed here.
      if (ICEBERG_POINTER_PARAMS.some((key) => table.metadata[key] !== undefined)) {
        throw new UnsupportedError(`Table ${table.name.toString()} is a catalog row marked ICEBERG, not a warehouse Iceberg table; its pointer cannot be committed here`);
      }
    } else rejectIcebergParams(table);
    if (partitionKeysChanged(stored, next) && (await this.partitions.count(row.id, trx)) > 0) {
      throw new InvalidInputError(
        `Table ${table.name.toString()} has partitions, so its partition keys (${partitionKeysOf(stored).map((f) => f.name).join(', ')}) cannot change`,
        'fields',
      );
    }
    // Compare-and-swap on the version: a concurrent update of the same row makes this one fail.
    const result = await trx
      .updateTable('catalog_table')
      .set({
        table_type: tableType(next),
        fields: JSON.stringify(next.fields),
        serde: writeJson(next.serde),
        params: JSON.stringify(next.metadata),
        view: writeJson(next.view),
        updated_by: write.user,
        updated_at: write.now,
        version: row.version + 1,
      })
      .where('id', '=', row.id)
      .where('version', '=', row.version)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new ConflictError(`Table ${table.name.toString()} was changed concurrently; retry the update`);
    return (await this.readTable(trx, table.name))!;
  }

  async deleteTable(write: ConnectorWrite, name: QualifiedName): Promise<TableInfo | undefined> {
    const trx = write.transaction;
    const row = await this.findTableRow(trx, name);
    if (!row) return undefined;
    const table = toTable(name, row);
    await this.partitions.deleteAll(trx, row.id);
    await trx.deleteFrom('catalog_table').where('id', '=', row.id).execute();
    return table;
  }

  async renameTable(write: ConnectorWrite, from: QualifiedName, to: QualifiedName): Promise<void> {
    const trx = write.transaction;
    const row = await this.findTableRow(trx, from);
    if (!row) throw new NotFoundError(`Table ${from.toString()} does not exist`);
    if (to.databaseName !== from.databaseName) throw new UnsupportedError(RENAME_ACROSS_DATABASES);
    if (await this.findTableRow(trx, to)) throw new ConflictError(`Table ${to.toString()} already exists`);
    await this.unique(`Table ${to.toString()} already exists`, () =>
      trx
        .updateTable('catalog_table')
        .set({ name: to.tableName!, updated_by: write.user, updated_at: write.now, version: row.version + 1 })
        .where('id', '=', row.id)
        .execute(),
    );
  }

  async listPartitions(table: QualifiedName, request: PartitionListRequest): Promise<PartitionInfo[]> {
    const stored = await this.findPartitionedTable(this.db, table);
    if (!stored) throw new NotFoundError(`Table ${table.toString()} does not exist`);
    return this.partitions.list(stored, request);
  }

  async countPartitions(table: QualifiedName): Promise<number> {
    const stored = await this.findPartitionedTable(this.db, table);
    return stored ? this.partitions.count(stored.id) : 0;
  }

  async savePartitions(write: ConnectorWrite, table: QualifiedName, request: PartitionSaveRequest): Promise<PartitionSaveResult> {
    const stored = await this.requireTable(write, table, 'saved');
    return this.partitions.save(write, stored, request);
  }

  async deletePartitions(write: ConnectorWrite, table: QualifiedName, names: readonly string[]): Promise<void> {
    const stored = await this.requireTable(write, table, 'deleted');
    await this.partitions.delete(write, stored, names);
  }

  async close(): Promise<void> {}

  /** Runs a write; a unique-constraint violation (a concurrent writer created the same name) is a 409. */
  private async unique<T>(conflict: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (this.adapter.isUniqueViolation(error)) throw new ConflictError(conflict);
      throw error;
    }
  }

  private async findDatabaseRow(db: Kysely<Tables>, name: string) {
    return db.selectFrom('catalog_database').selectAll().where('catalog', '=', this.catalog).where('name', '=', name).executeTakeFirst();
  }

  private async rowDatabase(name: QualifiedName, db: Kysely<Tables>): Promise<DatabaseInfo | undefined> {
    const row = await this.findDatabaseRow(db, name.databaseName!);
    if (!row) return undefined;
    return {
      name,
      uri: row.uri ?? undefined,
      metadata: readJson(row.params, {}),
      audit: { createdBy: row.created_by, createdDate: row.created_at, lastModifiedBy: row.updated_by, lastModifiedDate: row.updated_at },
    };
  }

  private async insertDatabaseRow(write: ConnectorWrite, database: DatabaseInfo): Promise<void> {
    await this.unique(`Database ${database.name.toString()} already exists`, () =>
      write.transaction
        .insertInto('catalog_database')
        .values({
          catalog: this.catalog,
          name: database.name.databaseName!,
          uri: normalizeUri(database.uri) ?? null,
          params: JSON.stringify(database.metadata),
          created_by: write.user,
          created_at: write.now,
          updated_by: write.user,
          updated_at: write.now,
        })
        .execute(),
    );
  }

  private async findTableRow(db: Kysely<Tables>, name: QualifiedName): Promise<TableRow | undefined> {
    return db
      .selectFrom('catalog_table')
      .selectAll()
      .where('catalog', '=', this.catalog)
      .where('database_name', '=', name.databaseName!)
      .where('name', '=', name.tableName!)
      .executeTakeFirst();
  }

  private async readTable(db: Kysely<Tables>, name: QualifiedName): Promise<TableInfo | undefined> {
    const row = await this.findTableRow(db, name);
    return row ? toTable(name, row) : undefined;
  }

  private async findPartitionedTable(db: Kysely<Tables>, name: QualifiedName): Promise<(PartitionedTable & { info: TableInfo }) | undefined> {
    const row = await this.findTableRow(db, name);
    if (!row) return undefined;
    const info = toTable(name, row);
    return { id: row.id, name, keys: partitionKeysOf(info), info };
  }

  /** The Hive table whose partitions change; a row marked ICEBERG has no partitions of its own to change. */
  private async requireTable(write: ConnectorWrite, name: QualifiedName, change: 'saved' | 'deleted'): Promise<PartitionedTable> {
    const table = await this.findPartitionedTable(write.transaction, name);
    if (!table) throw new NotFoundError(`Table ${name.toString()} does not exist`);
    if (isIceberg(table.info)) throw icebergPartitionsAreCommitted(name, change);
    return table;
  }
}

/** Metacat's answer to a rename that would move a table into another database. */
export const RENAME_ACROSS_DATABASES = 'Renaming a table into another database is not supported';

function toTable(name: QualifiedName, row: TableRow): TableInfo {
  const serde = readJson<StorageInfo | undefined>(row.serde, undefined);
  const view = readJson<ViewInfo | undefined>(row.view, undefined);
  return {
    name,
    fields: readJson<FieldInfo[]>(row.fields, []),
    ...(serde ? { serde } : {}),
    metadata: readJson(row.params, {}),
    ...(view ? { view } : {}),
    audit: { createdBy: row.created_by, createdDate: row.created_at, lastModifiedBy: row.updated_by, lastModifiedDate: row.updated_at },
  };
}

function isIceberg(table: TableInfo): boolean {
  return table.metadata.table_type?.toUpperCase() === ICEBERG_TABLE_TYPE;
}

function tableType(table: TableInfo): string | null {
  return table.metadata.table_type?.toUpperCase() ?? null;
}

function rejectIcebergParams(table: TableInfo): void {
  const present = ICEBERG_POINTER_PARAMS.filter((key) => table.metadata[key] !== undefined);
  if (present.length > 0) {
    throw new InvalidInputError(
      `Table ${table.name.toString()} is not an Iceberg table (metadata.table_type is not ICEBERG), so it cannot take ${present.join(' or ')}`,
      'metadata',
    );
  }
}

function normalizeTable(table: TableInfo, user: string): TableInfo {
  const serde = table.serde ? { ...table.serde, uri: normalizeUri(table.serde.uri) } : undefined;
  if (serde && serde.uri === undefined) delete serde.uri;
  // Hive's table owner is the storage owner; Metacat falls back to the requesting user.
  const owned: StorageInfo = { ...(serde ?? {}), owner: serde?.owner ?? user };
  return { ...table, fields: normalizeFields(table.fields), serde: owned };
}

function normalizeFields(fields: FieldInfo[]): FieldInfo[] {
  const seen = new Set<string>();
  return fields.map((field, pos) => {
    const name = field.name.trim();
    if (!name) throw new InvalidInputError(`Field 'fields[${pos}].name' must not be empty`, `fields[${pos}].name`);
    if (seen.has(name.toLowerCase())) throw new InvalidInputError(`Field name '${name}' appears twice in fields`, `fields[${pos}].name`);
    seen.add(name.toLowerCase());
    if (!field.type?.trim()) throw new InvalidInputError(`Field 'fields[${pos}].type' is required (e.g. string, int, bigint)`, `fields[${pos}].type`);
    return { ...field, name, type: field.type.trim(), source_type: field.source_type ?? field.type.trim(), partition_key: field.partition_key ?? false, pos };
  });
}

function mergeStorage(current: StorageInfo | undefined, change: StorageInfo): StorageInfo {
  const merged: StorageInfo = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(change) as Array<[keyof StorageInfo, unknown]>) {
    if (value !== undefined && value !== null) (merged as Record<string, unknown>)[key] = value;
  }
  const uri = normalizeUri(change.uri);
  if (uri !== undefined) merged.uri = uri;
  else if (current?.uri !== undefined) merged.uri = current.uri;
  return merged;
}

function partitionKeysChanged(before: TableInfo, after: TableInfo): boolean {
  const a = partitionKeysOf(before).map((f) => `${f.name.toLowerCase()}:${f.type.toLowerCase()}`);
  const b = partitionKeysOf(after).map((f) => `${f.name.toLowerCase()}:${f.type.toLowerCase()}`);
  return a.join(',') !== b.join(',');
}
