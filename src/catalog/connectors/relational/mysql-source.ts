import mysql from 'mysql2/promise';
import { mysqlToCanonical } from './mysql-types.ts';
import type { RelationalSource, SourceTable } from './relational-source.ts';

const SYSTEM_SCHEMAS = ['information_schema', 'mysql', 'performance_schema', 'sys'];

type Row = Record<string, unknown>;

/** A MariaDB or MySQL server read through information_schema: its databases are the catalog's. */
export class MysqlSource implements RelationalSource {
  private readonly pool: mysql.Pool;

  constructor(url: string) {
    this.pool = mysql.createPool({ uri: url.replace(/^mariadb:/, 'mysql:'), connectionLimit: 4, maxIdle: 1, idleTimeout: 30_000 });
  }

  private async query(text: string, values: unknown[] = []): Promise<Row[]> {
    const [rows] = await this.pool.query(text, values);
    return rows as Row[];
  }

  async listDatabases(): Promise<string[]> {
    const rows = await this.query('select schema_name as name from information_schema.schemata where schema_name not in (?) order by schema_name', [SYSTEM_SCHEMAS]);
    return rows.map((row) => String(row.name));
  }

  async findDatabase(name: string): Promise<string | undefined> {
    const rows = await this.query(
      'select schema_name as name from information_schema.schemata where lower(schema_name) = lower(?) and schema_name not in (?) order by schema_name = ? desc limit 1',
      [name, SYSTEM_SCHEMAS, name],
    );
    return rows[0] ? String(rows[0].name) : undefined;
  }

  async listTables(database: string): Promise<string[]> {
    const rows = await this.query('select table_name as name from information_schema.tables where table_schema = ? order by table_name', [database]);
    return rows.map((row) => String(row.name));
  }

  async describeTable(database: string, table: string): Promise<SourceTable | undefined> {
    const found = await this.query(
      `select table_name as name, table_type as kind, table_rows as row_estimate, table_comment as comment
       from information_schema.tables where table_schema = ? and lower(table_name) = lower(?)
       order by table_name = ? desc limit 1`,
      [database, table, table],
    );
    const relation = found[0];
    if (!relation) return undefined;
    const name = String(relation.name);
    const columns = await this.query(
      `select column_name as name, column_type as type, is_nullable as nullable, column_default as default_value,
              column_comment as comment, character_maximum_length as size
       from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position`,
      [database, name],
    );
    const keys = await this.query(
      `select column_name as name from information_schema.key_column_usage
       where table_schema = ? and table_name = ? and constraint_name = 'PRIMARY' order by ordinal_position`,
      [database, name],
    );
    // MariaDB's JSON is LONGTEXT with a json_valid(column) check constraint.
    const checks = await this.query('select check_clause as clause from information_schema.check_constraints where constraint_schema = ? and table_name = ?', [database, name]);
    const jsonColumns = new Set(checks.flatMap((row) => [...String(row.clause).matchAll(/json_valid\(`([^`]+)`\)/gi)].map((m) => m[1]!)));
    const isView = String(relation.kind).toUpperCase().includes('VIEW');
    const view = isView
      ? await this.query('select view_definition as definition from information_schema.views where table_schema = ? and table_name = ?', [database, name])
      : [];
    return {
      name,
      kind: isView ? 'VIEW' : 'TABLE',
      columns: columns.map((c) => ({
        name: String(c.name),
        nativeType: String(c.type),
        type: mysqlToCanonical(String(c.type), jsonColumns.has(String(c.name))),
        nullable: String(c.nullable).toUpperCase() === 'YES',
        ...(c.default_value !== null && c.default_value !== undefined ? { defaultValue: String(c.default_value) } : {}),
        ...(c.comment ? { comment: String(c.comment) } : {}),
        ...(c.size !== null && c.size !== undefined && Number(c.size) <= Number.MAX_SAFE_INTEGER ? { size: Number(c.size) } : {}),
      })),
      primaryKey: keys.map((k) => String(k.name)),
      ...(relation.row_estimate !== null && relation.row_estimate !== undefined && !isView ? { rowEstimate: Number(relation.row_estimate) } : {}),
      ...(relation.comment ? { comment: String(relation.comment) } : {}),
      ...(view[0]?.definition ? { viewDefinition: String(view[0].definition) } : {}),
    };
  }

  async findTables(term: string, limit: number): Promise<Array<{ database: string; table: string }>> {
    const pattern = `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.query(
      `select table_schema as db, table_name as name from information_schema.tables
       where lower(table_name) like ? and table_schema not in (?) order by table_schema, table_name limit ?`,
      [pattern, SYSTEM_SCHEMAS, limit],
    );
    return rows.map((row) => ({ database: String(row.db), table: String(row.name) }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
