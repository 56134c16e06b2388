import BetterSqlite3 from 'better-sqlite3';
import type { RelationalSource, SourceTable } from './relational-source.ts';
import { sqliteToCanonical } from './sqlite-types.ts';

const MAIN = 'main';

/**
 * A SQLite database file, opened read-only: one database, `main`. The file is opened on first use,
 * so a catalog whose file is missing fails its requests, not the server's start.
 */
export class SqliteSource implements RelationalSource {
  private db: BetterSqlite3.Database | undefined;

  constructor(private readonly file: string) {}

  private open(): BetterSqlite3.Database {
    this.db ??= new BetterSqlite3(this.file, { readonly: true, fileMustExist: true });
    return this.db;
  }

  async listDatabases(): Promise<string[]> {
    return [MAIN];
  }

  async findDatabase(name: string): Promise<string | undefined> {
    return name.toLowerCase() === MAIN ? MAIN : undefined;
  }

  async listTables(): Promise<string[]> {
    const rows = this.open()
      .prepare(`select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite\\_%' escape '\\' order by name`)
      .all() as Array<{ name: string }>;
    return rows.map((row) => row.name);
  }

  async describeTable(_database: string, table: string): Promise<SourceTable | undefined> {
    const db = this.open();
    const relation = db
      .prepare(`select name, type, sql from sqlite_master where type in ('table', 'view') and lower(name) = lower(?) order by name = ? desc limit 1`)
      .get(table, table) as { name: string; type: string; sql: string | null } | undefined;
    if (!relation) return undefined;
    const columns = db.prepare('select name, type, "notnull" as not_null, dflt_value as default_value, pk, hidden from pragma_table_xinfo(?)').all(relation.name) as Array<{
      name: string;
      type: string;
      not_null: number;
      default_value: string | null;
      pk: number;
      hidden: number;
    }>;
    const visible = columns.filter((c) => c.hidden === 0 || c.hidden === 2 || c.hidden === 3);
    const primaryKey = visible.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const isView = relation.type === 'view';
    return {
      name: relation.name,
      kind: isView ? 'VIEW' : 'TABLE',
      columns: visible.map((c) => {
        const size = /\(\s*(\d+)\s*\)/.exec(c.type)?.[1];
        return {
          name: c.name,
          nativeType: c.type,
          type: sqliteToCanonical(c.type),
          // A lone INTEGER PRIMARY KEY is the rowid and never null, whatever NOT NULL says.
          nullable: c.not_null === 0 && !(primaryKey.length === 1 && c.pk === 1 && /^integer$/i.test(c.type.trim())),
          ...(c.default_value !== null ? { defaultValue: c.default_value } : {}),
          ...(size && /char/i.test(c.type) ? { size: Number(size) } : {}),
        };
      }),
      primaryKey,
      ...(isView ? {} : { rowEstimate: this.rowEstimate(db, relation.name) }),
      ...(isView && relation.sql ? { viewDefinition: relation.sql } : {}),
    };
  }

  /** From sqlite_stat1 when ANALYZE has run; otherwise SQLite keeps no estimate, so count. */
  private rowEstimate(db: BetterSqlite3.Database, table: string): number {
    const hasStats = db.prepare(`select 1 from sqlite_master where type = 'table' and name = 'sqlite_stat1'`).get();
    if (hasStats) {
      const stat = db.prepare('select stat from sqlite_stat1 where tbl = ? order by idx is null desc limit 1').get(table) as { stat: string } | undefined;
      if (stat) return Number(stat.stat.split(' ')[0]);
    }
    const quoted = `"${table.replaceAll('"', '""')}"`;
    return Number((db.prepare(`select count(*) as n from ${quoted}`).get() as { n: number }).n);
  }

  async findTables(term: string, limit: number): Promise<Array<{ database: string; table: string }>> {
    const pattern = `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = this.open()
      .prepare(`select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite\\_%' escape '\\' and lower(name) like ? escape '\\' order by name limit ?`)
      .all(pattern, limit) as Array<{ name: string }>;
    return rows.map((row) => ({ database: MAIN, table: row.name }));
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }
}
