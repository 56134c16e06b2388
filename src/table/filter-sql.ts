import { quoteIdent, quoteString } from './duckdb-session.ts';
import type { Bound, BoundPredicate } from './expression.ts';
import type { PrimitiveType } from './iceberg-type.ts';
import { duckType } from './parquet-writer.ts';
import type { Schema } from './schema.ts';
import { formatValue, type IcebergValue } from './values.ts';

/**
 * A bound row filter (refs are field ids of `schema`) as a DuckDB boolean expression over the
 * columns a scan of that schema reads. SQL's three-valued logic matches the evaluators: a comparison
 * with a null column is NULL, never TRUE, so "the row matches" is `(expr) IS TRUE` and "keep the
 * row" is `(expr) IS NOT TRUE`.
 */
export function filterSql(expr: Bound, schema: Schema, alias?: string): string {
  switch (expr.op) {
    case 'true':
      return 'TRUE';
    case 'false':
      return 'FALSE';
    case 'and':
    case 'or':
      return `(${expr.args.map((a) => filterSql(a, schema, alias)).join(` ${expr.op.toUpperCase()} `)})`;
    default:
      return predicateSql(expr, columnSql(expr.ref, schema, alias));
  }
}

function columnSql(fieldId: number, schema: Schema, alias?: string): string {
  const name = schema.nameOf(fieldId);
  if (name === undefined) throw new Error(`Filter refers to field id ${fieldId}, which the scan schema lacks`);
  const path = name.split('.').map(quoteIdent).join('.');
  return alias ? `${alias}.${path}` : path;
}

function predicateSql(p: BoundPredicate, column: string): string {
  switch (p.op) {
    case 'isNull':
      return `(${column} IS NULL)`;
    case 'notNull':
      return `(${column} IS NOT NULL)`;
    case 'in':
    case 'notIn':
      return `(${column} ${p.op === 'in' ? 'IN' : 'NOT IN'} (${p.values.map((v) => literalSql(p.type, v)).join(', ')}))`;
    default: {
      const op = { eq: '=', notEq: '<>', lt: '<', ltEq: '<=', gt: '>', gtEq: '>=' }[p.op];
      return `(${column} ${op} ${literalSql(p.type, p.value)})`;
    }
  }
}

/** A typed DuckDB literal for a value in internal representation. */
export function literalSql(type: PrimitiveType, value: IcebergValue): string {
  if (type.kind === 'binary' || type.kind === 'fixed') return `unhex(${quoteString(formatValue(type, value))})`;
  if (type.kind === 'boolean') return value ? 'TRUE' : 'FALSE';
  return `CAST(${quoteString(formatValue(type, value))} AS ${duckType(type)})`;
}
