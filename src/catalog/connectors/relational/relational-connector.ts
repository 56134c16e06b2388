import type { CatalogConfig } from '../../../config/config.ts';
import type { DatabaseInfo, FieldInfo, TableInfo } from '../../catalog-model.ts';
import type { Connector, ConnectorCapabilities } from '../../connector.ts';
import { QualifiedName } from '../../qualified-name.ts';
import type { RelationalSource, SourceTable } from './relational-source.ts';

const READ_ONLY: ConnectorCapabilities = {
  createDatabase: false,
  updateDatabase: false,
  deleteDatabase: false,
  createTable: false,
  updateTable: false,
  deleteTable: false,
  renameTable: false,
  listPartitions: false,
  savePartitions: false,
};

/**
 * A read-only catalog over a relational database (PostgreSQL, MariaDB/MySQL, SQLite): its databases
 * (PostgreSQL schemas, MySQL databases, SQLite's `main`), tables and views with columns typed in the
 * common type system, primary keys (`isIndexKey`, and `metadata.primary_key`) and the source's
 * row-count estimate (`metadata.numRows`, Hive's name for it). Writes are 501s.
 */
export class RelationalConnector implements Connector {
  readonly capabilities = READ_ONLY;

  constructor(
    readonly type: string,
    private readonly config: CatalogConfig,
    private readonly source: RelationalSource,
  ) {}

  async listDatabaseNames(): Promise<string[]> {
    const all = await this.source.listDatabases();
    const allowed = this.config.databases?.map((d) => d.toLowerCase());
    return allowed ? all.filter((d) => allowed.includes(d.toLowerCase())) : all;
  }

  async getDatabase(name: QualifiedName): Promise<DatabaseInfo | undefined> {
    const database = await this.database(name);
    return database === undefined ? undefined : { name, metadata: {}, audit: {} };
  }

  async listTableNames(database: QualifiedName): Promise<string[] | undefined> {
    const spelled = await this.database(database);
    return spelled === undefined ? undefined : this.source.listTables(spelled);
  }

  async getTable(name: QualifiedName): Promise<TableInfo | undefined> {
    const database = await this.database(name);
    if (database === undefined) return undefined;
    const table = await this.source.describeTable(database, name.tableName!);
    return table ? toTableInfo(name, table) : undefined;
  }

  async findTables(term: string, limit: number): Promise<QualifiedName[]> {
    const allowed = await this.listDatabaseNames();
    const found = await this.source.findTables(term, limit);
    const out: QualifiedName[] = [];
    for (const { database, table } of found) {
      if (!allowed.includes(database)) continue;
      try {
        out.push(QualifiedName.ofTable(this.config.name, database, table));
      } catch {
        // A source name our qualified names cannot spell is left out of search results.
      }
    }
    return out;
  }

  close(): Promise<void> {
    return this.source.close();
  }

  private async database(name: QualifiedName): Promise<string | undefined> {
    const spelled = await this.source.findDatabase(name.databaseName!);
    if (spelled === undefined) return undefined;
    const allowed = this.config.databases?.map((d) => d.toLowerCase());
    return allowed && !allowed.includes(spelled.toLowerCase()) ? undefined : spelled;
  }
}

function toTableInfo(name: QualifiedName, table: SourceTable): TableInfo {
  const keys = new Set(table.primaryKey);
  const fields: FieldInfo[] = table.columns.map((column, pos) => {
    const field: FieldInfo = {
      name: column.name,
      type: column.type,
      source_type: column.nativeType,
      partition_key: false,
      pos,
      isNullable: column.nullable,
      isIndexKey: keys.has(column.name),
    };
    if (column.comment) field.comment = column.comment;
    if (column.defaultValue !== undefined) field.defaultValue = column.defaultValue;
    if (column.size !== undefined) field.size = column.size;
    return field;
  });
  const metadata: Record<string, string> = { table_type: table.kind === 'VIEW' ? 'VIRTUAL_VIEW' : 'TABLE' };
  if (table.rowEstimate !== undefined) metadata.numRows = String(Math.round(table.rowEstimate));
  if (table.primaryKey.length > 0) metadata.primary_key = table.primaryKey.join(',');
  if (table.comment) metadata.comment = table.comment;
  const info: TableInfo = { name, fields, metadata, audit: {} };
  if (table.viewDefinition) info.view = { viewOriginalText: table.viewDefinition, viewExpandedText: table.viewDefinition };
  return info;
}
