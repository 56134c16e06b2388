/**
 * Most bound parameters one statement may carry on every supported database: SQLite's default
 * limit is 32,766, PostgreSQL's wire protocol 65,535. A multi-row insert or an `in (…)` list built
 * from request data (thousands of tags on one resource) is split into statements below this.
 */
export const MAX_PARAMETERS_PER_STATEMENT = 30_000;

/**
 * `items` in consecutive batches, each small enough that `parametersPerItem` parameters for each
 * item (plus `fixed` others in the statement) stay within MAX_PARAMETERS_PER_STATEMENT.
 */
export function parameterBatches<T>(items: readonly T[], parametersPerItem: number, fixed = 0): T[][] {
  const size = Math.max(1, Math.floor((MAX_PARAMETERS_PER_STATEMENT - fixed) / parametersPerItem));
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}
