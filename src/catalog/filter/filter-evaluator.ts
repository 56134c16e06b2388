import { HIVE_DEFAULT_PARTITION, type CompareOp, type FilterNode, type Literal } from './filter-ast.ts';
import type { BoundFilter } from './filter-schema.ts';
import { compareCodePoints, numericValueOf } from './numeric-value.ts';

/**
 * A row as the evaluator sees it: the value of each schema variable as text, by slot. A null value
 * is the Hive marker `__HIVE_DEFAULT_PARTITION__` (what `IS NULL` matches), never JavaScript null.
 */
export type FilterRow = readonly string[];

export type RowPredicate = (row: FilterRow) => boolean;

/**
 * Compiles a bound filter into a predicate over rows. The semantics are exactly those of the SQL
 * pushdown (filter-sql.ts), so a connector may evaluate wherever its data is:
 * - a number literal against a numeric variable compares numerically; a value that is not a number
 *   (the null marker, say) then never matches, not even `!=`;
 * - everything else compares as text, by code point (SQLite BINARY / PostgreSQL "C" order), using the
 *   literal as written;
 * - `IS NULL` matches the Hive null marker; LIKE and MATCHES match the whole value.
 */
export function compileFilter(bound: BoundFilter): RowPredicate {
  return compileNode(bound.root, bound);
}

function compileNode(node: FilterNode, bound: BoundFilter): RowPredicate {
  switch (node.kind) {
    case 'and': {
      const parts = node.operands.map((n) => compileNode(n, bound));
      return (row) => parts.every((p) => p(row));
    }
    case 'or': {
      const parts = node.operands.map((n) => compileNode(n, bound));
      return (row) => parts.some((p) => p(row));
    }
    case 'not': {
      const inner = compileNode(node.operand, bound);
      return (row) => !inner(row);
    }
    case 'constant':
      return node.value ? () => true : () => false;
    case 'isNull': {
      const slot = bound.slotOf(node.variable.name);
      return (row) => (row[slot] === HIVE_DEFAULT_PARTITION) !== node.negated;
    }
    case 'compare': {
      const slot = bound.slotOf(node.variable.name);
      const test = valueTest(node.op, node.value, isNumeric(bound, node.variable.name, [node.value]));
      return (row) => test(row[slot]!);
    }
    case 'between': {
      const slot = bound.slotOf(node.variable.name);
      const numeric = isNumeric(bound, node.variable.name, [node.low, node.high]);
      const low = valueTest('>=', node.low, numeric);
      const high = valueTest('<=', node.high, numeric);
      return (row) => (low(row[slot]!) && high(row[slot]!)) !== node.negated;
    }
    case 'in': {
      const slot = bound.slotOf(node.variable.name);
      const variableNumeric = bound.schema.variables[slot]!.numeric;
      const tests = node.values.map((v) => valueTest('=', v, variableNumeric && v.kind === 'number'));
      return (row) => tests.some((t) => t(row[slot]!)) !== node.negated;
    }
    case 'like': {
      const slot = bound.slotOf(node.variable.name);
      const regex = bound.likeRegex(node);
      return (row) => regex.test(row[slot]!) !== node.negated;
    }
    case 'matches': {
      const slot = bound.slotOf(node.variable.name);
      return (row) => node.regex.test(row[slot]!);
    }
  }
}

/** True when a predicate on this variable compares numerically: the variable is numeric and every literal is a number. */
export function isNumeric(bound: BoundFilter, variable: string, literals: readonly Literal[]): boolean {
  return bound.schema.variables[bound.slotOf(variable)]!.numeric && literals.every((l) => l.kind === 'number');
}

function valueTest(op: CompareOp, literal: Literal, numeric: boolean): (value: string) => boolean {
  if (numeric) {
    const target = literal.value as number;
    return (value) => {
      const number = numericValueOf(value);
      return number !== null && holds(op, number < target ? -1 : number > target ? 1 : 0);
    };
  }
  const target = literal.text;
  return (value) => holds(op, compareCodePoints(value, target));
}

function holds(op: CompareOp, order: number): boolean {
  switch (op) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}
