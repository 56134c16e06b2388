import type { TableInfo } from './catalog-model.ts';
import { filterVariables, HIVE_DEFAULT_PARTITION } from './filter/filter-ast.ts';
import { compileFilter, type RowPredicate } from './filter/filter-evaluator.ts';
import { parseFilter } from './filter/filter-parser.ts';
import { bindFilter } from './filter/filter-schema.ts';
import { FilterSyntaxError } from './filter/filter-syntax-error.ts';

const OWNER = 'hive_filter_field_owner__';
const PARAMS = 'hive_filter_field_params__';

/**
 * The Hive metastore's table filter language used by `table-names`
 * (`hive_filter_field_owner__ = "amajumdar"`, `hive_filter_field_params__type = "ice"`), parsed with
 * the partition filter grammar and evaluated over each table: the owner is the storage owner, params
 * are table parameters. A table without the parameter has a null value (`IS NULL` matches).
 */
export function compileTableFilter(filter: string): (table: TableInfo) => boolean {
  const root = parseFilter(filter);
  const variables = filterVariables(root);
  for (const variable of variables) {
    if (variable.name !== OWNER && !(variable.name.startsWith(PARAMS) && variable.name.length > PARAMS.length)) {
      throw new FilterSyntaxError(
        `Unknown table filter field '${variable.name}' at position ${variable.position}; use ${OWNER} or ${PARAMS}<parameter>`,
        variable.position,
      );
    }
  }
  const names = variables.map((v) => v.name);
  const predicate: RowPredicate = compileFilter(
    bindFilter(root, { subject: 'the table filter', variables: names.map((name) => ({ name, numeric: false })) }),
  );
  return (table) =>
    predicate(
      names.map((name) => (name === OWNER ? table.serde?.owner : table.metadata[name.slice(PARAMS.length)]) ?? HIVE_DEFAULT_PARTITION),
    );
}
