import type { DataFile, FieldSummary } from './data-file.ts';
import type { Bound, BoundPredicate } from './expression.ts';
import type { PartitionTuple } from './partition-spec.ts';
import { compareValues, deserializeValue, type IcebergValue } from './values.ts';

/** Evaluates a bound filter on one row-like tuple (refs are positions); null compares false. */
export function evaluateTuple(expr: Bound, tuple: PartitionTuple): boolean {
  switch (expr.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return expr.args.every((a) => evaluateTuple(a, tuple));
    case 'or':
      return expr.args.some((a) => evaluateTuple(a, tuple));
    default: {
      const v = tuple[expr.ref] ?? null;
      if (expr.op === 'isNull') return v === null;
      if (expr.op === 'notNull') return v !== null;
      if (v === null) return false;
      const cmp = (x: IcebergValue) => compareValues(expr.type, v, x);
      switch (expr.op) {
        case 'eq':
          return cmp(expr.value) === 0;
        case 'notEq':
          return cmp(expr.value) !== 0;
        case 'lt':
          return cmp(expr.value) < 0;
        case 'ltEq':
          return cmp(expr.value) <= 0;
        case 'gt':
          return cmp(expr.value) > 0;
        case 'gtEq':
          return cmp(expr.value) >= 0;
        case 'in':
          return expr.values.some((x) => cmp(x) === 0);
        case 'notIn':
          return expr.values.every((x) => cmp(x) !== 0);
      }
    }
  }
}

/**
 * Whether a manifest may hold a matching file, from its partition field summaries (refs are tuple
 * positions). False only when no partition in the manifest can match.
 */
export function manifestMightMatch(expr: Bound, summaries: readonly FieldSummary[] | undefined): boolean {
  if (!summaries) return true;
  return rangeMightMatch(expr, (ref) => {
    const s = summaries[ref];
    if (!s) return undefined;
    return {
      hasNull: s.containsNull,
      allNull: s.lowerBound === undefined && !s.containsNan,
      lower: s.lowerBound,
      upper: s.upperBound,
    };
  });
}

/** Inclusive metrics evaluation (refs are field ids): false only when the file cannot hold a matching row. */
export function fileMightMatch(expr: Bound, file: DataFile): boolean {
  return rangeMightMatch(expr, (ref) => {
    const nulls = file.nullValueCounts?.get(ref);
    const values = file.valueCounts?.get(ref);
    return {
      hasNull: nulls === undefined || nulls > 0,
      allNull: nulls !== undefined && values !== undefined && nulls === values,
      lower: file.lowerBounds?.get(ref),
      upper: file.upperBounds?.get(ref),
    };
  });
}

/** Strict metrics evaluation: true only when every row of the file matches. */
export function fileAllMatch(expr: Bound, file: DataFile): boolean {
  switch (expr.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return expr.args.every((a) => fileAllMatch(a, file));
    case 'or':
      return expr.args.some((a) => fileAllMatch(a, file));
    default: {
      const nulls = file.nullValueCounts?.get(expr.ref);
      const values = file.valueCounts?.get(expr.ref);
      if (expr.op === 'isNull') return nulls !== undefined && values !== undefined && nulls === values;
      if (expr.op === 'notNull') return nulls === 0;
      // Rows with null never match a comparison, so a file with nulls cannot match entirely.
      if (nulls !== 0) return false;
      const lowerBytes = file.lowerBounds?.get(expr.ref);
      const upperBytes = file.upperBounds?.get(expr.ref);
      if (!lowerBytes || !upperBytes || expr.type.kind === 'string' || expr.type.kind === 'binary') {
        // String bounds may be truncated, so they cannot prove equality of every value.
        if (!lowerBytes || !upperBytes) return false;
        if (expr.op !== 'lt' && expr.op !== 'ltEq' && expr.op !== 'gt' && expr.op !== 'gtEq' && expr.op !== 'notEq' && expr.op !== 'notIn') return false;
      }
      const lower = deserializeValue(expr.type, lowerBytes!);
      const upper = deserializeValue(expr.type, upperBytes!);
      const c = (a: IcebergValue, b: IcebergValue) => compareValues(expr.type, a, b);
      switch (expr.op) {
        case 'eq':
          return c(lower, expr.value) === 0 && c(upper, expr.value) === 0;
        case 'notEq':
          return c(upper, expr.value) < 0 || c(lower, expr.value) > 0;
        case 'lt':
          return c(upper, expr.value) < 0;
        case 'ltEq':
          return c(upper, expr.value) <= 0;
        case 'gt':
          return c(lower, expr.value) > 0;
        case 'gtEq':
          return c(lower, expr.value) >= 0;
        case 'in':
          return c(lower, upper) === 0 && expr.values.some((v) => c(lower, v) === 0);
        case 'notIn':
          return expr.values.every((v) => c(upper, v) < 0 || c(lower, v) > 0);
      }
    }
  }
}

interface RangeStats {
  hasNull: boolean;
  allNull: boolean;
  lower?: Uint8Array;
  upper?: Uint8Array;
}

function rangeMightMatch(expr: Bound, stats: (ref: number) => RangeStats | undefined): boolean {
  switch (expr.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return expr.args.every((a) => rangeMightMatch(a, stats));
    case 'or':
      return expr.args.some((a) => rangeMightMatch(a, stats));
    default:
      return predicateMightMatch(expr, stats(expr.ref));
  }
}

function predicateMightMatch(p: BoundPredicate, s: RangeStats | undefined): boolean {
  if (!s) return true;
  if (p.op === 'isNull') return s.hasNull;
  if (p.op === 'notNull') return !s.allNull;
  if (s.allNull) return false;
  if (p.op === 'notEq' || p.op === 'notIn') return true;
  const lower = s.lower ? deserializeValue(p.type, s.lower) : undefined;
  const upper = s.upper ? deserializeValue(p.type, s.upper) : undefined;
  const c = (a: IcebergValue, b: IcebergValue) => compareValues(p.type, a, b);
  const inRange = (v: IcebergValue) => (lower === undefined || c(v, lower) >= 0) && (upper === undefined || c(v, upper) <= 0);
  switch (p.op) {
    case 'eq':
      return inRange(p.value);
    case 'in':
      return p.values.some(inRange);
    case 'lt':
      return lower === undefined || c(lower, p.value) < 0;
    case 'ltEq':
      return lower === undefined || c(lower, p.value) <= 0;
    case 'gt':
      return upper === undefined || c(upper, p.value) > 0;
    case 'gtEq':
      return upper === undefined || c(upper, p.value) >= 0;
  }
}
