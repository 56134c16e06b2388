import type { Kysely } from 'kysely';
import type { Tables } from '../../../db/tables.ts';
import { ConflictError } from '../../../errors/conflict-error.ts';
import { NotFoundError } from '../../../errors/not-found-error.ts';
import { UnsupportedError } from '../../../errors/unsupported-error.ts';
import type { DatabaseInfo, PartitionInfo, TableInfo } from '../../catalog-model.ts';
import type { ConnectorWrite, PartitionListRequest, PartitionSaveResult, TableReadOptions } from '../../connector.ts';
import type { QualifiedName } from '../../qualified-name.ts';
import { RENAME_ACROSS_DATABASES } from './hive-table-connector.ts';
import { icebergPartitionsAreCommitted, ICEBERG_TABLE_TYPE, type IcebergTableSupport } from './iceberg-table-support.ts';
import { EVERY_CAPABILITY, type WarehouseMember } from './warehouse-member.ts';


/**
 * The warehouse's Iceberg tables as a connector: namespaces are databases, pointers are tables (the
 * IcebergTableSupport seam reads and writes them). A table created in a database that has no
 * namespace yet gets one. A namespace carries no Metacat parameters of its
 * own, so a database update here changes nothing (WarehouseConnector gives the database a row
 * instead); partitions come from snapshots and cannot be saved (the capability is there so such a
 * request reaches this connector and gets a 400 saying why, not a 501).
 */
export class IcebergTableConnector implements WarehouseMember {
  readonly type = 'warehouse';
  readonly capabilities = EVERY_CAPABILITY;

  constructor(private readonly tables: IcebergTableSupport) {}

  hasDatabase(name: QualifiedName, db?: Kysely<Tables>): Promise<boolean> {
    return this.tables.databaseExists(name, db);
  }

  hasTable(name: QualifiedName, db?: Kysely<Tables>): Promise<boolean> {
    return this.tables.tableExists(name, db);
  }

  listDatabaseNames(): Promise<string[]> {
    return this.tables.listDatabaseNames();
  }

  getDatabase(name: QualifiedName): Promise<DatabaseInfo | undefined> {
    return this.tables.getDatabase(name);
  }

  createDatabase(write: ConnectorWrite, database: DatabaseInfo): Promise<void> {
    return this.tables.createDatabase(write, database);
  }

  async updateDatabase(write: ConnectorWrite, database: DatabaseInfo): Promise<void> {
    if (!(await this.hasDatabase(database.name, write.transaction))) throw new NotFoundError(`Database ${database.name.toString()} does not exist`);
  }

  async deleteDatabase(write: ConnectorWrite, name: QualifiedName): Promise<void> {
    if (!(await this.hasDatabase(name, write.transaction))) throw new NotFoundError(`Database ${name.toString()} does not exist`);
    await this.tables.deleteDatabase(write, name);
  }

  async listTableNames(database: QualifiedName): Promise<string[] | undefined> {
    return (await this.hasDatabase(database)) ? this.tables.listTableNames(database) : undefined;
  }

  getTable(name: QualifiedName, options?: TableReadOptions): Promise<TableInfo | undefined> {
    return this.tables.getTable(name, options);
  }

  findTables(term: string, limit: number): Promise<QualifiedName[]> {
    return this.tables.findTables(term, limit);
  }

  async createTable(write: ConnectorWrite, table: TableInfo): Promise<TableInfo> {
    if (table.metadata.table_type?.toUpperCase() !== ICEBERG_TABLE_TYPE) {
      throw new UnsupportedError(`Table ${table.name.toString()}: the warehouse's Iceberg tables take metadata.table_type ICEBERG only`);
    }
    if (await this.hasTable(table.name, write.transaction)) throw new ConflictError(`Table ${table.name.toString()} already exists`);
    return this.tables.createTable(write, table);
  }

  async updateTable(write: ConnectorWrite, table: TableInfo): Promise<TableInfo> {
    const updated = await this.tables.updateTable(write, table);
    if (!updated) throw new NotFoundError(`Table ${table.name.toString()} does not exist`);
    return updated;
  }

  deleteTable(write: ConnectorWrite, name: QualifiedName): Promise<TableInfo | undefined> {
    return this.tables.deleteTable(write, name);
  }

  async renameTable(write: ConnectorWrite, from: QualifiedName, to: QualifiedName): Promise<void> {
    if (!(await this.hasTable(from, write.transaction))) throw new NotFoundError(`Table ${from.toString()} does not exist`);
    if (to.databaseName !== from.databaseName) throw new UnsupportedError(RENAME_ACROSS_DATABASES);
    if (await this.hasTable(to, write.transaction)) throw new ConflictError(`Table ${to.toString()} already exists`);
    await this.tables.renameTable(write, from, to);
  }

  async listPartitions(table: QualifiedName, request: PartitionListRequest): Promise<PartitionInfo[]> {
    const partitions = await this.tables.listPartitions(table, request);
    if (!partitions) throw new NotFoundError(`Table ${table.toString()} does not exist`);
    return partitions;
  }

  async countPartitions(table: QualifiedName): Promise<number> {
    return (await this.tables.countPartitions(table)) ?? 0;
  }

  async savePartitions(write: ConnectorWrite, table: QualifiedName): Promise<PartitionSaveResult> {
    return this.refusePartitionChange(write, table, 'saved');
  }

  async deletePartitions(write: ConnectorWrite, table: QualifiedName): Promise<void> {
    await this.refusePartitionChange(write, table, 'deleted');
  }

  async close(): Promise<void> {}

  private async refusePartitionChange(write: ConnectorWrite, table: QualifiedName, change: 'saved' | 'deleted'): Promise<never> {
    if (await this.hasTable(table, write.transaction)) throw icebergPartitionsAreCommitted(table, change);
    throw new NotFoundError(`Table ${table.toString()} does not exist`);
  }
}
