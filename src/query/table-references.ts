import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { conjuncts, pushablePredicates } from './predicate-pushdown.ts';
import { walk, type SqlNode } from './sql-tree.ts';
import type { Expression } from '../table/expression.ts';

/** One use of a warehouse table in a query: `db.table` or `<catalog>.db.table`, maybe at a past version. */
export interface TableReference {
  /** Distinguishes two uses of the same table (a self-join). */
  readonly key: string;
  /** The parse-tree node (BASE_TABLE); rewritten in place to read the planned files instead. */
  readonly node: SqlNode;
  readonly namespace: string;
  readonly name: string;
  readonly alias: string;
  readonly asOf?: { snapshotId: bigint } | { timestamp: string };
  /** Predicates from WHERE and inner join conditions that only this reference's columns decide. */
  readonly predicates: Expression[];
}

/** Table functions that read no file and reach nothing outside the query. */
const ALLOWED_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest']);

/**
 * Finds every warehouse table a query reads and what of its WHERE clauses can prune files.
 * `columnsOf` gives a table's column names (lower-cased lookups are done here), so an unqualified
 * column is assigned to the one table of its FROM clause that has it.
 *
 * A name without a database is allowed only for a CTE; table functions that read files
 * (read_csv, read_parquet, …) and file names in FROM are refused: a query reads warehouse tables
 * through their planned files and nothing else.
 */
export function findTableReferences(root: SqlNode, columnsOf: (namespace: string, name: string) => readonly string[] | undefined, catalogNames: readonly string[]): TableReference[] {
  const cteNames = new Set<string>();
  walk(root, (node) => {
    const map = (node.cte_map as { map?: { key: string }[] } | undefined)?.map;
    for (const entry of map ?? []) cteNames.add(entry.key.toLowerCase());
  });
  const refs = new Map<SqlNode, TableReference>();
  walk(root, (node) => {
    if (node.type === 'TABLE_FUNCTION') {
      const fn = String((node.function as SqlNode | undefined)?.function_name ?? '');
      if (!ALLOWED_TABLE_FUNCTIONS.has(fn.toLowerCase())) {
        throw new InvalidInputError(`Table function ${fn}() is not allowed: queries read warehouse tables by name (db.table); files outside the warehouse cannot be read`, 'sql');
      }
    }
    if (node.type !== 'BASE_TABLE') return;
    const schema = String(node.schema_name ?? '');
    const table = String(node.table_name ?? '');
    const catalog = String(node.catalog_name ?? '');
    if (!schema) {
      if (cteNames.has(table.toLowerCase())) return;
      throw new InvalidInputError(`Unknown table ${JSON.stringify(table)}: name warehouse tables as db.table (or ${catalogNames[0] ?? 'warehouse'}.db.table)`, 'sql');
    }
    if (catalog && !catalogNames.some((c) => c.toLowerCase() === catalog.toLowerCase())) {
      throw new InvalidInputError(`Unknown catalog ${JSON.stringify(catalog)} in ${catalog}.${schema}.${table}: queries read the warehouse (${catalogNames.join(', ')})`, 'sql');
    }
    refs.set(node, { key: String(refs.size), node, namespace: schema, name: table, alias: String(node.alias || table), asOf: asOfClause(node), predicates: [] });
  });
  // Predicates, per SELECT: each conjunct of WHERE that only one table of its FROM decides.
  walk(root, (node) => {
    if (node.type !== 'SELECT_NODE') return;
    const scope = fromScope(node.from_table as SqlNode, refs);
    if (scope.length === 0) return;
    const resolve = (names: readonly string[]) => {
      const column = names[names.length - 1]!;
      const lower = column.toLowerCase();
      const candidates =
        names.length === 1
          ? scope.filter((s) => s.pushable && (columnsOf(s.ref.namespace, s.ref.name) ?? []).some((c) => c.toLowerCase() === lower))
          : names.length === 2
            ? scope.filter((s) => s.ref.alias.toLowerCase() === names[0]!.toLowerCase())
            : [];
      // An alias on the null-supplying side of an outer join matches but must not be pushed to.
      if (candidates.length !== 1 || !candidates[0]!.pushable) return undefined;
      const actual = (columnsOf(candidates[0]!.ref.namespace, candidates[0]!.ref.name) ?? []).find((c) => c.toLowerCase() === lower);
      return actual === undefined ? undefined : { ref: candidates[0]!.ref.key, column: actual };
    };
    // Unqualified names are ambiguous when two tables have the column: then nothing is pushed for it.
    const conditions = [...conjuncts(node.where_clause as SqlNode), ...scope.flatMap((s) => s.innerConditions)];
    const pushed = pushablePredicates({ type: 'CONJUNCTION_AND', children: conditions }, resolve);
    for (const entry of scope) entry.ref.predicates.push(...(pushed.get(entry.ref.key) ?? []));
  });
  return [...refs.values()];
}

interface ScopeEntry {
  ref: TableReference;
  /** False on the null-supplying side of an outer join, where filtering the table changes which rows are null-extended. */
  pushable: boolean;
  innerConditions: SqlNode[];
}

/** The warehouse tables a FROM clause joins directly (not inside subqueries), with what may be pushed to each. */
function fromScope(from: SqlNode | undefined, refs: Map<SqlNode, TableReference>, pushable = true): ScopeEntry[] {
  if (!from) return [];
  if (from.type === 'BASE_TABLE') {
    const ref = refs.get(from);
    return ref ? [{ ref, pushable, innerConditions: [] }] : [];
  }
  if (from.type !== 'JOIN') return [];
  const type = String(from.join_type);
  const inner = type === 'INNER';
  const left = fromScope(from.left as SqlNode, refs, pushable && (inner || type === 'LEFT' || type === 'SEMI' || type === 'ANTI'));
  const right = fromScope(from.right as SqlNode, refs, pushable && (inner || type === 'RIGHT'));
  const all = [...left, ...right];
  if (inner && String(from.ref_type) !== 'ASOF' && all.length > 0) all[0]!.innerConditions.push(...conjuncts(from.condition as SqlNode));
  return all;
}

function asOfClause(node: SqlNode): TableReference['asOf'] {
  const at = node.at_clause as { unit: string; expr: SqlNode } | null;
  if (!at) return undefined;
  const unit = at.unit.toUpperCase();
  const value = constantOf(at.expr);
  if (unit === 'VERSION') {
    if (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) return { snapshotId: BigInt(value) };
    if (typeof value === 'string' && /^-?\d+$/.test(value)) return { snapshotId: BigInt(value) };
    throw new InvalidInputError(`FOR VERSION AS OF needs a snapshot id (an integer), got ${JSON.stringify(String(value))}`, 'sql');
  }
  if (unit === 'TIMESTAMP') {
    if (typeof value === 'string') return { timestamp: value };
    throw new InvalidInputError(`FOR TIMESTAMP AS OF needs a timestamp literal such as '2024-06-01 12:00:00', got ${JSON.stringify(String(value))}`, 'sql');
  }
  throw new InvalidInputError(`Unknown time-travel unit ${unit}: use VERSION or TIMESTAMP`, 'sql');
}

function constantOf(node: SqlNode): unknown {
  if (node.class === 'CONSTANT') return (node.value as { value: unknown }).value;
  if (node.class === 'CAST') return constantOf(node.child as SqlNode);
  return undefined;
}
