import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { parseLosslessJson, stringifyLosslessJson } from '../table/lossless-json.ts';
import { quoteString } from '../table/duckdb-session.ts';
import { QueryFailedError } from './query-errors.ts';

/** A node of DuckDB's serialized parse tree (json_serialize_sql): plain JSON objects, big integers kept exact. */
export type SqlNode = Record<string, unknown>;

/** DuckDB's parse tree of one SELECT statement. */
export interface SelectTree {
  /** The statement's root query node (`SELECT_NODE`, `SET_OPERATION_NODE`, …). */
  readonly root: SqlNode;
  /** The whole serialized document, for turning back into SQL. */
  readonly document: SqlNode;
}

/**
 * Parses SQL with DuckDB's own parser. Only a single SELECT (with CTEs, set operations, subqueries)
 * parses: DuckDB serializes nothing else, which is what makes a query read-only by construction.
 */
export async function parseSelect(connection: DuckDBConnection, sql: string): Promise<SelectTree> {
  const reader = await connection.runAndReadAll(`SELECT json_serialize_sql(${quoteString(sql)}) AS tree`);
  const document = parseLosslessJson(String(reader.getRows()[0]![0])) as SqlNode;
  if (document.error) {
    const message = String(document.error_message ?? 'the query could not be parsed');
    if (document.error_type === 'not implemented' || /Only SELECT/i.test(message)) {
      throw new InvalidInputError('Only read-only queries are allowed: one SELECT (or WITH … SELECT, or EXPLAIN SELECT); statements that write or change settings are refused', 'sql');
    }
    const at = document.position !== undefined ? ` at character ${Number(document.position) + 1}` : '';
    throw new QueryFailedError(`SQL ${String(document.error_type ?? 'parser')} error${at}: ${message}`);
  }
  const statements = document.statements as SqlNode[] | undefined;
  if (!statements || statements.length === 0) throw new InvalidInputError('The query is empty: send one SELECT statement', 'sql');
  if (statements.length > 1) throw new InvalidInputError(`Send one statement per query (got ${statements.length})`, 'sql');
  return { root: statements[0]!.node as SqlNode, document };
}

/** The SQL text of a (possibly rewritten) tree, printed by DuckDB. */
export async function deparse(connection: DuckDBConnection, tree: SelectTree): Promise<string> {
  const reader = await connection.runAndReadAll(`SELECT json_deserialize_sql(${quoteString(stringifyLosslessJson(tree.document))}) AS sql`);
  return String(reader.getRows()[0]![0]);
}

/** Calls visit on every object in the tree, depth first, parents before children. */
export function walk(node: unknown, visit: (node: SqlNode) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
  } else if (node !== null && typeof node === 'object') {
    visit(node as SqlNode);
    for (const value of Object.values(node)) walk(value, visit);
  }
}
