import { isNumericType, type FieldInfo } from './catalog-model.ts';
import type { FilterNode } from './filter/filter-ast.ts';
import { compileFilter, type FilterRow, type RowPredicate } from './filter/filter-evaluator.ts';
import { bindFilter, type FilterSchema } from './filter/filter-schema.ts';
import type { QualifiedName } from './qualified-name.ts';

/** The special filter variable: a partition's creation time (for Iceberg: its snapshot's time) in epoch seconds. */
export const DATE_CREATED = 'dateCreated';

/**
 * The variables a partition filter on a table may name, in slot order: the partition keys, then
 * `dateCreated` (unless a key already has that name).
 */
export function partitionFilterSchema(table: QualifiedName, keys: readonly FieldInfo[]): FilterSchema {
  const variables = keys.map((key) => ({ name: key.name, numeric: isNumericType(key.type) }));
  if (!variables.some((v) => v.name.toLowerCase() === DATE_CREATED.toLowerCase())) variables.push({ name: DATE_CREATED, numeric: true });
  return { variables, subject: `table ${table.toString()}` };
}

/** The row a partition filter evaluates: the key values (the Hive marker for a null), then dateCreated. */
export function partitionFilterRow(values: readonly string[], createdAtMs: number): FilterRow {
  return [...values, String(Math.trunc(createdAtMs / 1000))];
}

/**
 * A predicate over partitions for in-memory evaluation (Iceberg manifests' partition values, or
 * anything without SQL): `matches(partitionFilterRow(values, createdAtMs))`. Throws FilterSyntaxError
 * (a 400) for a key the table does not have.
 */
export function compilePartitionFilter(filter: FilterNode, table: QualifiedName, keys: readonly FieldInfo[]): RowPredicate {
  return compileFilter(bindFilter(filter, partitionFilterSchema(table, keys)));
}
