import type { Expression } from '../table/expression.ts';
import type { SqlNode } from './sql-tree.ts';

/**
 * Which table reference of a FROM clause a column reference belongs to: `column_names` as the parser
 * gives them (`[col]` or `[alias, col]`); the reference's key and the column's name, or undefined
 * when the column is not plainly one of a warehouse table's columns.
 */
export type ColumnResolver = (columnNames: readonly string[]) => { ref: string; column: string } | undefined;

/**
 * The parts of a WHERE clause that Quarry's scan planning can use, per table reference. Only
 * conjuncts that mention one table's columns compared with literals are kept (=, <>, <, <=, >, >=,
 * IN, NOT IN, BETWEEN, IS [NOT] NULL, and OR/NOT of those); the rest are simply not pushed. The
 * query still evaluates its whole WHERE clause, so a pushed predicate only has to be implied by it:
 * it prunes files, it never decides rows.
 */
export function pushablePredicates(where: SqlNode | null | undefined, resolve: ColumnResolver): Map<string, Expression[]> {
  const byRef = new Map<string, Expression[]>();
  for (const conjunct of conjuncts(where)) {
    const converted = toExpression(conjunct, resolve);
    if (!converted) continue;
    byRef.set(converted.ref, [...(byRef.get(converted.ref) ?? []), converted.expression]);
  }
  return byRef;
}

/** The AND-ed parts of a condition. */
export function conjuncts(node: SqlNode | null | undefined): SqlNode[] {
  if (!node) return [];
  if (node.type === 'CONJUNCTION_AND') return (node.children as SqlNode[]).flatMap(conjuncts);
  return [node];
}

type Converted = { ref: string; expression: Expression } | undefined;

const COMPARISONS: Record<string, { op: 'eq' | 'notEq' | 'lt' | 'ltEq' | 'gt' | 'gtEq'; flipped: 'eq' | 'notEq' | 'lt' | 'ltEq' | 'gt' | 'gtEq' }> = {
  COMPARE_EQUAL: { op: 'eq', flipped: 'eq' },
  COMPARE_NOTEQUAL: { op: 'notEq', flipped: 'notEq' },
  COMPARE_LESSTHAN: { op: 'lt', flipped: 'gt' },
  COMPARE_LESSTHANOREQUALTO: { op: 'ltEq', flipped: 'gtEq' },
  COMPARE_GREATERTHAN: { op: 'gt', flipped: 'lt' },
  COMPARE_GREATERTHANOREQUALTO: { op: 'gtEq', flipped: 'ltEq' },
};

function toExpression(node: SqlNode, resolve: ColumnResolver): Converted {
  const column = (n: unknown) => (isColumn(n) ? resolve(n.column_names as string[]) : undefined);
  const comparison = COMPARISONS[String(node.type)];
  if (comparison) {
    const left = column(node.left);
    const right = column(node.right);
    const leftValue = literal(node.left);
    const rightValue = literal(node.right);
    if (left && rightValue !== NOT_LITERAL && rightValue !== null) return { ref: left.ref, expression: { op: comparison.op, column: left.column, value: rightValue } };
    if (right && leftValue !== NOT_LITERAL && leftValue !== null) return { ref: right.ref, expression: { op: comparison.flipped, column: right.column, value: leftValue } };
    return undefined;
  }
  switch (node.type) {
    case 'COMPARE_IN':
    case 'COMPARE_NOT_IN': {
      const [first, ...rest] = node.children as SqlNode[];
      const target = column(first);
      const values = rest.map(literal);
      if (!target || values.length === 0 || values.some((v) => v === NOT_LITERAL || v === null)) return undefined;
      return { ref: target.ref, expression: { op: node.type === 'COMPARE_IN' ? 'in' : 'notIn', column: target.column, values } };
    }
    case 'COMPARE_BETWEEN': {
      const target = column(node.input);
      const lower = literal(node.lower);
      const upper = literal(node.upper);
      if (!target || lower === NOT_LITERAL || upper === NOT_LITERAL || lower === null || upper === null) return undefined;
      return { ref: target.ref, expression: { op: 'and', args: [{ op: 'gtEq', column: target.column, value: lower }, { op: 'ltEq', column: target.column, value: upper }] } };
    }
    case 'OPERATOR_IS_NULL':
    case 'OPERATOR_IS_NOT_NULL': {
      const target = column((node.children as SqlNode[])[0]);
      if (!target) return undefined;
      return { ref: target.ref, expression: { op: node.type === 'OPERATOR_IS_NULL' ? 'isNull' : 'notNull', column: target.column } };
    }
    case 'OPERATOR_NOT': {
      const inner = toExpression((node.children as SqlNode[])[0]!, resolve);
      return inner && { ref: inner.ref, expression: { op: 'not', arg: inner.expression } };
    }
    case 'CONJUNCTION_AND':
    case 'CONJUNCTION_OR': {
      // Every branch must be convertible and about the same table, else the whole is not pushable.
      const parts = (node.children as SqlNode[]).map((c) => toExpression(c, resolve));
      if (parts.some((p) => !p) || new Set(parts.map((p) => p!.ref)).size !== 1) return undefined;
      return { ref: parts[0]!.ref, expression: { op: node.type === 'CONJUNCTION_AND' ? 'and' : 'or', args: parts.map((p) => p!.expression) } };
    }
    default:
      return undefined;
  }
}

function isColumn(node: unknown): node is SqlNode {
  return typeof node === 'object' && node !== null && (node as SqlNode).class === 'COLUMN_REF';
}

const NOT_LITERAL = Symbol('not a literal');

/**
 * The value of a constant (or a constant cast to a date/time/number type, as in TIMESTAMP '…'); null
 * for SQL NULL; NOT_LITERAL for anything else. Strings stay strings: binding to the column's type
 * converts them the way DuckDB's implicit casts would, and a value that does not convert is not pushed.
 */
function literal(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return NOT_LITERAL;
  const n = node as SqlNode;
  if (n.class === 'CONSTANT') {
    const value = n.value as { is_null: boolean; value: unknown; type: { id: string } };
    if (value.is_null) return null;
    if (value.type.id === 'DECIMAL' || value.type.id === 'HUGEINT') return NOT_LITERAL;
    return value.value;
  }
  if (n.class === 'CAST' && !n.try_cast && CAST_TYPES.has(String((n.cast_type as { id: string }).id))) {
    const inner = literal(n.child);
    return typeof inner === 'string' ? inner : NOT_LITERAL;
  }
  return NOT_LITERAL;
}

/** Casts of a string literal whose text Iceberg's value parsing reads the same way DuckDB does. */
const CAST_TYPES = new Set(['DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_TZ', 'VARCHAR']);
