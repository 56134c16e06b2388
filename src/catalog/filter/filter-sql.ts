import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { HIVE_DEFAULT_PARTITION, type CompareOp, type FilterNode, type Literal } from './filter-ast.ts';
import { isNumeric } from './filter-evaluator.ts';
import type { BoundFilter } from './filter-schema.ts';

/** Where a filter variable's value lives in the query the connector builds, by slot. */
export interface FilterSqlColumns {
  /** The value as text; never NULL (a null partition value is stored as the Hive marker). */
  text(slot: number): Expression<unknown>;
  /** The value as a number; NULL when the text is not a number. */
  number(slot: number): Expression<unknown>;
}

/**
 * A filter translated for a WHERE clause. `condition` undefined means "no restriction". When `exact`
 * is false the condition selects a superset (some predicate, such as MATCHES, has no portable SQL
 * form) and the caller must apply the in-memory predicate to the rows it returns, paging after that.
 */
export interface SqlFilter {
  readonly condition: RawBuilder<SqlBool> | undefined;
  readonly exact: boolean;
}

/**
 * Translates a bound filter to SQL with the semantics of compileFilter (filter-evaluator.ts). Every
 * literal is a bound parameter; the only SQL text produced is fixed by this module, so a filter
 * cannot inject SQL. Every predicate is two-valued (never NULL), so NOT means the same as in memory.
 */
export function filterToSql(bound: BoundFilter, columns: FilterSqlColumns): SqlFilter {
  return translate(bound.root, bound, columns);
}

const TRUE = sql<SqlBool>`1 = 1`;
const FALSE = sql<SqlBool>`1 = 0`;

function translate(node: FilterNode, bound: BoundFilter, columns: FilterSqlColumns): SqlFilter {
  switch (node.kind) {
    case 'and': {
      const parts = node.operands.map((n) => translate(n, bound, columns));
      const conditions = parts.flatMap((p) => (p.condition ? [p.condition] : []));
      return {
        // A conjunct without SQL form is dropped: the rest still selects a superset.
        condition: conditions.length === 0 ? undefined : join(conditions, 'and'),
        exact: parts.every((p) => p.exact),
      };
    }
    case 'or': {
      const parts = node.operands.map((n) => translate(n, bound, columns));
      if (parts.some((p) => !p.condition)) return { condition: undefined, exact: false };
      return { condition: join(parts.map((p) => p.condition!), 'or'), exact: parts.every((p) => p.exact) };
    }
    case 'not': {
      const inner = translate(node.operand, bound, columns);
      // The complement of a superset is not a superset of the complement: leave it to memory.
      if (!inner.exact) return { condition: undefined, exact: false };
      return { condition: sql<SqlBool>`not (${inner.condition ?? TRUE})`, exact: true };
    }
    case 'constant':
      return { condition: node.value ? TRUE : FALSE, exact: true };
    case 'matches':
      // Regular-expression dialects differ between databases and JavaScript: evaluate in memory.
      return { condition: undefined, exact: false };
    case 'isNull': {
      const text = columns.text(bound.slotOf(node.variable.name));
      return { condition: sql<SqlBool>`${text} ${sql.raw(node.negated ? '<>' : '=')} ${HIVE_DEFAULT_PARTITION}`, exact: true };
    }
    case 'compare': {
      const slot = bound.slotOf(node.variable.name);
      return { condition: comparison(columns, slot, node.op, node.value, isNumeric(bound, node.variable.name, [node.value])), exact: true };
    }
    case 'between': {
      const slot = bound.slotOf(node.variable.name);
      const numeric = isNumeric(bound, node.variable.name, [node.low, node.high]);
      const range = join([comparison(columns, slot, '>=', node.low, numeric), comparison(columns, slot, '<=', node.high, numeric)], 'and');
      return { condition: node.negated ? sql<SqlBool>`not (${range})` : range, exact: true };
    }
    case 'in': {
      const slot = bound.slotOf(node.variable.name);
      const variableNumeric = bound.schema.variables[slot]!.numeric;
      const numbers = node.values.filter((v) => variableNumeric && v.kind === 'number').map((v) => v.value as number);
      const texts = node.values.filter((v) => !(variableNumeric && v.kind === 'number')).map((v) => v.text);
      const alternatives: RawBuilder<SqlBool>[] = [];
      if (numbers.length > 0) {
        const number = columns.number(slot);
        alternatives.push(sql<SqlBool>`(${number} is not null and ${number} in (${sql.join(numbers)}))`);
      }
      if (texts.length > 0) alternatives.push(sql<SqlBool>`${columns.text(slot)} in (${sql.join(texts)})`);
      const any = join(alternatives, 'or');
      return { condition: node.negated ? sql<SqlBool>`not (${any})` : any, exact: true };
    }
    case 'like': {
      const text = columns.text(bound.slotOf(node.variable.name));
      // The escape character is fixed text; the pattern is a parameter.
      const like = sql<SqlBool>`${text} like ${node.pattern.text} escape '\\'`;
      return { condition: node.negated ? sql<SqlBool>`not (${like})` : like, exact: true };
    }
  }
}

const OPERATORS: Record<CompareOp, string> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

function comparison(columns: FilterSqlColumns, slot: number, op: CompareOp, literal: Literal, numeric: boolean): RawBuilder<SqlBool> {
  const operator = sql.raw(OPERATORS[op]);
  if (numeric) {
    const number = columns.number(slot);
    // "is not null and" keeps the predicate two-valued: a non-number never matches, even under NOT.
    return sql<SqlBool>`(${number} is not null and ${number} ${operator} ${literal.value})`;
  }
  return sql<SqlBool>`${columns.text(slot)} ${operator} ${literal.text}`;
}

function join(conditions: RawBuilder<SqlBool>[], operator: 'and' | 'or'): RawBuilder<SqlBool> {
  if (conditions.length === 1) return conditions[0]!;
  return sql<SqlBool>`(${sql.join(conditions, sql.raw(` ${operator} `))})`;
}
