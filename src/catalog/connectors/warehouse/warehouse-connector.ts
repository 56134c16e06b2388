import type { DatabaseInfo, PartitionInfo, TableInfo } from '../../catalog-model.ts';
import type {
  Connector,
  ConnectorWrite,
  PartitionListRequest,
  PartitionSaveRequest,
  PartitionSaveResult,
  TableReadOptions,
} from '../../connector.ts';
import { ConflictError } from '../../../errors/conflict-error.ts';
import { NotFoundError } from '../../../errors/not-found-error.ts';
import { UnsupportedError } from '../../../errors/unsupported-error.ts';
import { QualifiedName } from '../../qualified-name.ts';
import { RENAME_ACROSS_DATABASES, type HiveTableConnector } from './hive-table-connector.ts';
import type { IcebergTableConnector } from './iceberg-table-connector.ts';
import { ICEBERG_TABLE_TYPE } from './iceberg-table-support.ts';
import { EVERY_CAPABILITY, type WarehouseMember } from './warehouse-member.ts';


/**
 * The `warehouse` catalog: its Hive-style tables (rows in the metadata database) and the warehouse's
 * Iceberg tables (the pointer store, their one source of truth) as one Metacat catalog. This class
 * holds the naming rules between the two, and nothing else:
 * - databases are the union of both members' databases; a database only the Iceberg member has
 *   gets its row when a Hive table or parameters are first written to it;
 * - a table name is taken if either member has it, and where both have it the row wins;
 * - a table with `table_type` ICEBERG is created by the Iceberg member, any other by the Hive member.
 */
export class WarehouseConnector implements Connector {
  readonly type = 'warehouse';
  readonly capabilities = EVERY_CAPABILITY;
  private readonly members: readonly WarehouseMember[];

  constructor(
    private readonly catalog: string,
    private readonly hive: HiveTableConnector,
    private readonly iceberg: IcebergTableConnector,
  ) {
    // Order matters: the first member holding a table name owns it.
    this.members = [hive, iceberg];
  }

  async listDatabaseNames(): Promise<string[]> {
    const names = new Set<string>();
    for (const member of this.members) for (const name of await member.listDatabaseNames()) names.add(name);
    return [...names].sort(compareText);
  }

  async getDatabase(name: QualifiedName): Promise<DatabaseInfo | undefined> {
    return (await this.hive.getDatabase(name)) ?? (await this.iceberg.getDatabase(name));
  }

  async createDatabase(write: ConnectorWrite, database: DatabaseInfo): Promise<void> {
    if (await this.databaseExists(write, database.name)) throw new ConflictError(`Database ${database.name.toString()} already exists`);
    // The namespace first: a name Iceberg cannot hold is refused before anything is written.
    await this.iceberg.createDatabase(write, database);
    await this.hive.createDatabase(write, database);
  }

  async updateDatabase(write: ConnectorWrite, database: DatabaseInfo): Promise<void> {
    if (await this.hive.hasDatabase(database.name, write.transaction)) return this.hive.updateDatabase(write, database);
    await this.iceberg.updateDatabase(write, database);
    await this.hive.createDatabase(write, database);
  }

  async deleteDatabase(write: ConnectorWrite, name: QualifiedName): Promise<void> {
    const holders = await this.databaseHolders(write, name);
    if (holders.length === 0) throw new NotFoundError(`Database ${name.toString()} does not exist`);
    // Each member refuses while it still holds tables; one refusal rolls back the other's removal.
    for (const member of holders) await member.deleteDatabase!(write, name);
  }

  async listTableNames(database: QualifiedName): Promise<string[] | undefined> {
    const lists = await Promise.all(this.members.map((member) => member.listTableNames(database)));
    if (lists.every((names) => names === undefined)) return undefined;
    return [...new Set(lists.flatMap((names) => names ?? []))].sort(compareText);
  }

  async getTable(name: QualifiedName, options: TableReadOptions = {}): Promise<TableInfo | undefined> {
    return (await this.hive.getTable(name)) ?? (await this.iceberg.getTable(name, options));
  }

  async findTables(term: string, limit: number): Promise<QualifiedName[]> {
    const found = await this.hive.findTables(term, limit);
    if (found.length < limit) found.push(...(await this.iceberg.findTables(term, limit - found.length)));
    return found;
  }

  async createTable(write: ConnectorWrite, table: TableInfo): Promise<TableInfo> {
    const database = QualifiedName.ofDatabase(this.catalog, table.name.databaseName!);
    if (!(await this.databaseExists(write, database))) throw new NotFoundError(`Database ${database.toString()} does not exist`);
    if (await this.holder(write, table.name)) throw new ConflictError(`Table ${table.name.toString()} already exists`);
    if (table.metadata.table_type?.toUpperCase() === ICEBERG_TABLE_TYPE) return this.iceberg.createTable(write, table);
    if (!(await this.hive.hasDatabase(database, write.transaction))) await this.hive.createDatabase(write, { name: database, metadata: {}, audit: {} });
    return this.hive.createTable(write, table);
  }

  async updateTable(write: ConnectorWrite, table: TableInfo): Promise<TableInfo> {
    return (await this.owner(write, table.name)).updateTable!(write, table);
  }

  async deleteTable(write: ConnectorWrite, name: QualifiedName): Promise<TableInfo | undefined> {
    return (await this.owner(write, name)).deleteTable!(write, name);
  }

  async renameTable(write: ConnectorWrite, from: QualifiedName, to: QualifiedName): Promise<void> {
    const owner = await this.holder(write, from);
    if (!owner) throw new NotFoundError(`Table ${from.toString()} does not exist`);
    if (to.databaseName !== from.databaseName) throw new UnsupportedError(RENAME_ACROSS_DATABASES);
    if (await this.holder(write, to)) throw new ConflictError(`Table ${to.toString()} already exists`);
    await owner.renameTable!(write, from, to);
  }

  async listPartitions(table: QualifiedName, request: PartitionListRequest): Promise<PartitionInfo[]> {
    return (await this.owner(undefined, table)).listPartitions!(table, request);
  }

  async countPartitions(table: QualifiedName): Promise<number> {
    return (await this.owner(undefined, table)).countPartitions!(table);
  }

  async savePartitions(write: ConnectorWrite, table: QualifiedName, request: PartitionSaveRequest): Promise<PartitionSaveResult> {
    return (await this.owner(write, table)).savePartitions!(write, table, request);
  }

  async deletePartitions(write: ConnectorWrite, table: QualifiedName, names: readonly string[]): Promise<void> {
    await (await this.owner(write, table)).deletePartitions!(write, table, names);
  }

  async close(): Promise<void> {}

  private async databaseExists(write: ConnectorWrite, name: QualifiedName): Promise<boolean> {
    return (await this.databaseHolders(write, name)).length > 0;
  }

  private async databaseHolders(write: ConnectorWrite, name: QualifiedName): Promise<WarehouseMember[]> {
    const held: WarehouseMember[] = [];
    for (const member of this.members) if (await member.hasDatabase(name, write.transaction)) held.push(member);
    return held;
  }

  /**
   * The member that answers for a table name: the Hive member when it has a row of that name (a row
   * wins a name both hold), else the Iceberg member, which answers for a missing table too.
   */
  private async owner(write: ConnectorWrite | undefined, name: QualifiedName): Promise<WarehouseMember> {
    return (await this.hive.hasTable(name, write?.transaction)) ? this.hive : this.iceberg;
  }

  /** The member holding a table name, if any. */
  private async holder(write: ConnectorWrite, name: QualifiedName): Promise<WarehouseMember | undefined> {
    for (const member of this.members) if (await member.hasTable(name, write.transaction)) return member;
    return undefined;
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
