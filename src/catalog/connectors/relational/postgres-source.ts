import pg from 'pg';
import { postgresToCanonical } from './postgres-types.ts';
import type { RelationalSource, SourceColumn, SourceTable } from './relational-source.ts';

const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast'];
// Relation kinds shown as tables: ordinary, partitioned, view, materialized view, foreign.
const RELKINDS = ['r', 'p', 'v', 'm', 'f'];

/** A PostgreSQL database read through pg_catalog: its schemas are the catalog's databases. */
export class PostgresSource implements RelationalSource {
  private readonly pool: pg.Pool;

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 4, idleTimeoutMillis: 30_000 });
    // An idle client losing its connection must not crash the server; the next query reconnects.
    this.pool.on('error', () => {});
  }

  async listDatabases(): Promise<string[]> {
    const { rows } = await this.pool.query<{ name: string }>(
      `select nspname as name from pg_namespace
       where nspname <> all($1) and nspname not like 'pg\\_temp\\_%' and nspname not like 'pg\\_toast\\_temp\\_%'
       order by nspname`,
      [SYSTEM_SCHEMAS],
    );
    return rows.map((row) => row.name);
  }

  async findDatabase(name: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ name: string }>(
      `select nspname as name from pg_namespace where lower(nspname) = lower($1) and nspname <> all($2) order by nspname = $1 desc limit 1`,
      [name, SYSTEM_SCHEMAS],
    );
    return rows[0]?.name;
  }

  async listTables(database: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relkind = any($2) order by c.relname`,
      [database, RELKINDS],
    );
    return rows.map((row) => row.name);
  }

  async describeTable(database: string, table: string): Promise<SourceTable | undefined> {
    const { rows: found } = await this.pool.query<{ oid: number; name: string; relkind: string; reltuples: number; comment: string | null; view: string | null }>(
      `select c.oid, c.relname as name, c.relkind, c.reltuples, obj_description(c.oid, 'pg_class') as comment,
              case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid) end as view
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and lower(c.relname) = lower($2) and c.relkind = any($3)
       order by c.relname = $2 desc limit 1`,
      [database, table, RELKINDS],
    );
    const relation = found[0];
    if (!relation) return undefined;
    // `native` is the declared type; `base` resolves domains and enums for the type mapping.
    const { rows: columns } = await this.pool.query<{ name: string; native: string; base: string; nullable: boolean; default: string | null; comment: string | null; size: number | null }>(
      `select a.attname as name, format_type(a.atttypid, a.atttypmod) as native,
              case when t.typtype = 'd' then format_type(t.typbasetype, t.typtypmod)
                   when t.typtype = 'e' then 'enum'
                   else format_type(a.atttypid, a.atttypmod) end as base,
              not a.attnotnull as nullable, pg_get_expr(d.adbin, d.adrelid) as default,
              col_description(a.attrelid, a.attnum) as comment,
              case when a.atttypid in ('varchar'::regtype, 'bpchar'::regtype) and a.atttypmod > 4 then a.atttypmod - 4 end as size
       from pg_attribute a
       join pg_type t on t.oid = a.atttypid
       left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
       where a.attrelid = $1 and a.attnum > 0 and not a.attisdropped
       order by a.attnum`,
      [relation.oid],
    );
    const { rows: keys } = await this.pool.query<{ name: string }>(
      `select a.attname as name from pg_index i
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
       where i.indrelid = $1 and i.indisprimary
       order by array_position(i.indkey::int2[], a.attnum)`,
      [relation.oid],
    );
    return {
      name: relation.name,
      kind: relation.relkind === 'v' || relation.relkind === 'm' ? 'VIEW' : 'TABLE',
      columns: columns.map((c): SourceColumn => ({
        name: c.name,
        nativeType: c.native,
        type: postgresToCanonical(c.base),
        nullable: c.nullable,
        ...(c.default !== null ? { defaultValue: c.default } : {}),
        ...(c.comment ? { comment: c.comment } : {}),
        ...(c.size !== null ? { size: Number(c.size) } : {}),
      })),
      primaryKey: keys.map((k) => k.name),
      // reltuples is -1 until the table is first analysed (PostgreSQL 14+): then there is no estimate.
      ...(Number(relation.reltuples) >= 0 ? { rowEstimate: Number(relation.reltuples) } : {}),
      ...(relation.comment ? { comment: relation.comment } : {}),
      ...(relation.view ? { viewDefinition: relation.view.trim() } : {}),
    };
  }

  async findTables(term: string, limit: number): Promise<Array<{ database: string; table: string }>> {
    const pattern = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await this.pool.query<{ database: string; table: string }>(
      `select n.nspname as database, c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relname ilike $1 and c.relkind = any($2) and n.nspname <> all($3)
       order by n.nspname, c.relname limit $4`,
      [pattern, RELKINDS, SYSTEM_SCHEMAS, limit],
    );
    return rows;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
