import type { RelationalSource, SourceColumn, SourceTable } from '../relational/relational-source.ts';
import { CassandraSession } from './cassandra-session.ts';
import { cqlToCanonical } from './cassandra-types.ts';
import type { CassandraSettings } from './cassandra-url.ts';

/** Keyspaces of Cassandra itself, not user data: never listed. */
const SYSTEM_KEYSPACES = new Set(['system', 'system_schema', 'system_auth', 'system_distributed', 'system_traces', 'system_views', 'system_virtual_schema']);

const KIND_ORDER: Record<string, number> = { partition_key: 0, clustering: 1, static: 2, regular: 2 };

/**
 * A Cassandra cluster's schema through its system_schema tables: keyspaces as databases, tables with
 * their columns in CQL's own order (partition key, clustering columns, then the rest by name, as
 * `SELECT *` gives them), the primary key, and system.size_estimates' partition count as the row
 * estimate (partitions, not rows, for tables with clustering columns; absent until Cassandra has
 * computed it). Read-only.
 */
export class CassandraSource implements RelationalSource {
  readonly session: CassandraSession;

  constructor(settings: CassandraSettings, label: string) {
    this.session = new CassandraSession(settings, label);
  }

  async listDatabases(): Promise<string[]> {
    const result = await this.session.execute('SELECT keyspace_name FROM system_schema.keyspaces');
    return result.rows.map((r) => String(r.keyspace_name)).filter((k) => !SYSTEM_KEYSPACES.has(k)).sort();
  }

  async findDatabase(name: string): Promise<string | undefined> {
    const all = await this.listDatabases();
    return all.find((k) => k === name) ?? all.find((k) => k.toLowerCase() === name.toLowerCase());
  }

  async listTables(database: string): Promise<string[]> {
    const result = await this.session.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?', [database]);
    return result.rows.map((r) => String(r.table_name)).sort();
  }

  async describeTable(database: string, table: string): Promise<SourceTable | undefined> {
    const names = await this.listTables(database);
    const name = names.find((t) => t === table) ?? names.find((t) => t.toLowerCase() === table.toLowerCase());
    if (name === undefined) return undefined;
    const result = await this.session.execute('SELECT column_name, kind, position, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?', [database, name]);
    const rows = result.rows
      .map((r) => ({ name: String(r.column_name), kind: String(r.kind), position: Number(r.position), type: String(r.type) }))
      .sort((a, b) => (KIND_ORDER[a.kind] ?? 3) - (KIND_ORDER[b.kind] ?? 3) || (a.kind === 'regular' || a.kind === 'static' ? a.name.localeCompare(b.name) : a.position - b.position));
    const columns: SourceColumn[] = rows.map((r) => ({ name: r.name, nativeType: r.type, type: cqlToCanonical(r.type), nullable: r.kind !== 'partition_key' && r.kind !== 'clustering' }));
    const rowEstimate = await this.partitionEstimate(database, name);
    return {
      name,
      kind: 'TABLE',
      columns,
      primaryKey: rows.filter((r) => r.kind === 'partition_key' || r.kind === 'clustering').map((r) => r.name),
      ...(rowEstimate !== undefined ? { rowEstimate } : {}),
    };
  }

  /** The partition key columns in key order: what token() takes. */
  async partitionKey(database: string, table: string): Promise<string[]> {
    const result = await this.session.execute('SELECT column_name, kind, position FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?', [database, table]);
    return result.rows
      .filter((r) => r.kind === 'partition_key')
      .sort((a, b) => Number(a.position) - Number(b.position))
      .map((r) => String(r.column_name));
  }

  async findTables(term: string, limit: number): Promise<Array<{ database: string; table: string }>> {
    const keyspaces = new Set(await this.listDatabases());
    const result = await this.session.execute('SELECT keyspace_name, table_name FROM system_schema.tables');
    const needle = term.toLowerCase();
    return result.rows
      .map((r) => ({ database: String(r.keyspace_name), table: String(r.table_name) }))
      .filter((t) => keyspaces.has(t.database) && t.table.toLowerCase().includes(needle))
      .sort((a, b) => a.database.localeCompare(b.database) || a.table.localeCompare(b.table))
      .slice(0, limit);
  }

  close(): Promise<void> {
    return this.session.close();
  }

  private async partitionEstimate(database: string, table: string): Promise<number | undefined> {
    try {
      const result = await this.session.execute('SELECT partitions_count FROM system.size_estimates WHERE keyspace_name = ? AND table_name = ?', [database, table]);
      if (result.rows.length === 0) return undefined;
      return result.rows.reduce((sum, r) => sum + Number(r.partitions_count ?? 0), 0);
    } catch {
      // An estimate is a nicety: a cluster that keeps none (or hides the table) has none.
      return undefined;
    }
  }
}
