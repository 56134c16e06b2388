import { simplify, type Bound, type BoundPredicate } from './expression.ts';
import type { PartitionSpec } from './partition-spec.ts';
import type { Schema } from './schema.ts';
import { applyTransform, type Transform } from './transform.ts';
import type { PrimitiveType } from './iceberg-type.ts';
import type { IcebergValue } from './values.ts';

/**
 * Inclusive projection (spec "Scan Planning"): turns a row filter into a filter on a spec's
 * partition tuples that matches every partition holding a matching row. Refs of the result are
 * tuple positions. Predicates on columns without a partition field become `true`.
 */
export function projectInclusive(expr: Bound, spec: PartitionSpec, schema: Schema): Bound {
  const fields = spec.fieldTypes(schema);
  const visit = (e: Bound): Bound => {
    if (e.op === 'true' || e.op === 'false') return e;
    if (!('ref' in e)) return { op: e.op, args: e.args.map(visit) };
    const parts: Bound[] = [];
    fields.forEach(({ field, source, result }, pos) => {
      if (field.sourceId !== e.ref) return;
      const projected = projectPredicate(e, field.transform, source, result, pos, 'inclusive');
      if (projected) parts.push(projected);
    });
    return parts.length === 0 ? { op: 'true' } : parts.length === 1 ? parts[0] : { op: 'and', args: parts };
  };
  return simplify(visit(expr));
}

/**
 * Strict projection: a filter on partition tuples that matches only partitions whose every row
 * matches the row filter. Only identity fields project strictly here; everything else is `false`
 * (not provably all-matching), which is the safe answer for deletes.
 */
export function projectStrict(expr: Bound, spec: PartitionSpec, schema: Schema): Bound {
  const fields = spec.fieldTypes(schema);
  const visit = (e: Bound): Bound => {
    if (e.op === 'true' || e.op === 'false') return e;
    if (!('ref' in e)) return { op: e.op, args: e.args.map(visit) };
    for (const [pos, { field, source, result }] of fields.entries()) {
      if (field.sourceId !== e.ref) continue;
      const projected = projectPredicate(e, field.transform, source, result, pos, 'strict');
      if (projected) return projected;
    }
    return { op: 'false' };
  };
  return simplify(visit(expr));
}

function projectPredicate(e: BoundPredicate, t: Transform, source: PrimitiveType, result: PrimitiveType, pos: number, mode: 'inclusive' | 'strict'): Bound | undefined {
  const apply = (v: IcebergValue) => applyTransform(t, source, v) as IcebergValue;
  if (t.kind === 'void') return undefined;
  if (t.kind === 'identity') return { ...e, ref: pos, type: result } as Bound;
  if (e.op === 'isNull' || e.op === 'notNull') return mode === 'inclusive' ? { op: e.op, ref: pos, type: result } : undefined;
  if (mode === 'strict') {
    // Time transforms are monotonic: `ts < X` holds for a whole partition p when p < t(X) (every row of
    // p is then before the partition X falls in); likewise for >=, > with the boundary partition excluded.
    if (t.kind === 'year' || t.kind === 'month' || t.kind === 'day' || t.kind === 'hour') {
      if (e.op === 'lt' || e.op === 'ltEq') return { op: 'lt', ref: pos, type: result, value: apply(e.value) };
      if (e.op === 'gt' || e.op === 'gtEq') return { op: 'gt', ref: pos, type: result, value: apply(e.value) };
      if (e.op === 'notEq') return { op: 'notEq', ref: pos, type: result, value: apply(e.value) };
    }
    return undefined;
  }
  switch (e.op) {
    case 'eq':
      return { op: 'eq', ref: pos, type: result, value: apply(e.value) };
    case 'in':
      return { op: 'in', ref: pos, type: result, values: e.values.map(apply) };
    case 'lt':
    case 'ltEq':
      // bucket scatters order; every other transform here is monotonic non-decreasing.
      return t.kind === 'bucket' ? undefined : { op: 'ltEq', ref: pos, type: result, value: apply(e.value) };
    case 'gt':
    case 'gtEq':
      return t.kind === 'bucket' ? undefined : { op: 'gtEq', ref: pos, type: result, value: apply(e.value) };
    default:
      return undefined;
  }
}
