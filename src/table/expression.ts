import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { isPrimitive, primitiveToString, type PrimitiveType } from './iceberg-type.ts';
import type { Schema } from './schema.ts';
import { toIcebergValue, type IcebergValue } from './values.ts';

export type ComparisonOp = 'eq' | 'notEq' | 'lt' | 'ltEq' | 'gt' | 'gtEq';

/**
 * A row filter over columns by name: the small expression language scans, deletes and overwrites
 * take. Literals are plain JS values (numbers, strings such as '2024-01-01', bigints, booleans),
 * converted to the column's type when the expression is bound to a schema.
 */
export type Expression =
  | { op: 'true' }
  | { op: 'false' }
  | { op: 'and' | 'or'; args: Expression[] }
  | { op: 'not'; arg: Expression }
  | { op: ComparisonOp; column: string; value: unknown }
  | { op: 'in' | 'notIn'; column: string; values: unknown[] }
  | { op: 'isNull' | 'notNull'; column: string };

export const alwaysTrue = (): Expression => ({ op: 'true' });
export const and = (...args: Expression[]): Expression => ({ op: 'and', args });
export const or = (...args: Expression[]): Expression => ({ op: 'or', args });
export const not = (arg: Expression): Expression => ({ op: 'not', arg });
export const eq = (column: string, value: unknown): Expression => ({ op: 'eq', column, value });
export const notEq = (column: string, value: unknown): Expression => ({ op: 'notEq', column, value });
export const lt = (column: string, value: unknown): Expression => ({ op: 'lt', column, value });
export const ltEq = (column: string, value: unknown): Expression => ({ op: 'ltEq', column, value });
export const gt = (column: string, value: unknown): Expression => ({ op: 'gt', column, value });
export const gtEq = (column: string, value: unknown): Expression => ({ op: 'gtEq', column, value });
export const isIn = (column: string, values: unknown[]): Expression => ({ op: 'in', column, values });
export const notIn = (column: string, values: unknown[]): Expression => ({ op: 'notIn', column, values });
export const isNull = (column: string): Expression => ({ op: 'isNull', column });
export const notNull = (column: string): Expression => ({ op: 'notNull', column });

/**
 * An expression bound to a struct: `ref` is a field id (rows) or a tuple position (partitions), the
 * type is known and literals are in internal representation. Always in negation normal form: `not`
 * has been pushed into the predicates.
 */
export type Bound =
  | { op: 'true' }
  | { op: 'false' }
  | { op: 'and' | 'or'; args: Bound[] }
  | { op: ComparisonOp; ref: number; type: PrimitiveType; value: IcebergValue }
  | { op: 'in' | 'notIn'; ref: number; type: PrimitiveType; values: IcebergValue[] }
  | { op: 'isNull' | 'notNull'; ref: number; type: PrimitiveType };

export type BoundPredicate = Extract<Bound, { ref: number }>;

const NEGATE: Record<string, string> = { eq: 'notEq', notEq: 'eq', lt: 'gtEq', gtEq: 'lt', gt: 'ltEq', ltEq: 'gt', in: 'notIn', notIn: 'in', isNull: 'notNull', notNull: 'isNull' };

/** Resolves columns by name against a schema; a missing column or a literal of the wrong type is an error. */
export function bind(expr: Expression, schema: Schema): Bound {
  return bindWith(expr, (column) => {
    const field = schema.findField(column);
    if (!field) throw new InvalidInputError(`Filter refers to column ${JSON.stringify(column)}, which the table does not have (columns: ${schema.fields.map((f) => f.name).join(', ')})`, 'filter');
    if (!isPrimitive(field.type)) throw new InvalidInputError(`Filter column ${column} is a ${field.type.kind}; only primitive columns can be filtered`, 'filter');
    return { ref: field.id, type: field.type };
  });
}

/** Binds with a custom resolver (partition field names to tuple positions, for partition filters). */
export function bindWith(expr: Expression, resolve: (column: string) => { ref: number; type: PrimitiveType }, negate = false): Bound {
  switch (expr.op) {
    case 'true':
    case 'false':
      return { op: (expr.op === 'true') !== negate ? 'true' : 'false' };
    case 'not':
      return bindWith(expr.arg, resolve, !negate);
    case 'and':
    case 'or': {
      if (!Array.isArray(expr.args) || expr.args.length === 0) throw new InvalidInputError(`Filter ${expr.op} needs at least one operand`, 'filter');
      const op = (expr.op === 'and') !== negate ? 'and' : 'or';
      return { op, args: expr.args.map((a) => bindWith(a, resolve, negate)) };
    }
    default: {
      if (!NEGATE[expr.op]) throw new InvalidInputError(`Unknown filter operator ${JSON.stringify((expr as { op: unknown }).op)}`, 'filter');
      const { ref, type } = resolve(expr.column);
      const op = (negate ? NEGATE[expr.op] : expr.op) as BoundPredicate['op'];
      const where = `filter on ${expr.column} (${primitiveToString(type)})`;
      if ('values' in expr) {
        if (!Array.isArray(expr.values)) throw new InvalidInputError(`${where}: ${expr.op} needs a list of values`, 'filter');
        return { op: op as 'in' | 'notIn', ref, type, values: expr.values.map((v) => toIcebergValue(type, v, where)) };
      }
      if ('value' in expr) {
        if (expr.value === null || expr.value === undefined) throw new InvalidInputError(`${where}: compare with null using isNull/notNull`, 'filter');
        return { op: op as ComparisonOp, ref, type, value: toIcebergValue(type, expr.value, where) };
      }
      return { op: op as 'isNull' | 'notNull', ref, type };
    }
  }
}

/** The column names an expression refers to. */
export function referencedColumns(expr: Expression): string[] {
  switch (expr.op) {
    case 'true':
    case 'false':
      return [];
    case 'not':
      return referencedColumns(expr.arg);
    case 'and':
    case 'or':
      return expr.args.flatMap(referencedColumns);
    default:
      return [expr.column];
  }
}

/** Folds constant branches: `and` with a false arg is false, `or` with a true arg is true. */
export function simplify(expr: Bound): Bound {
  if (expr.op !== 'and' && expr.op !== 'or') return expr;
  const args = expr.args.map(simplify);
  const absorbing = expr.op === 'and' ? 'false' : 'true';
  const neutral = expr.op === 'and' ? 'true' : 'false';
  if (args.some((a) => a.op === absorbing)) return { op: absorbing };
  const kept = args.filter((a) => a.op !== neutral);
  if (kept.length === 0) return { op: neutral };
  return kept.length === 1 ? kept[0] : { op: expr.op, args: kept };
}
