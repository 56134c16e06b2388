import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { QualifiedName } from '../qualified-name.ts';

/** Matches the `name` column of rows under `parent/` (a table's partitions), with the parent's own LIKE wildcards escaped. */
export function isChildOf(parent: QualifiedName): RawBuilder<SqlBool> {
  const escaped = parent.toString().replace(/[\\%_]/g, (c) => `\\${c}`);
  return sql<SqlBool>`name like ${`${escaped}/%`} escape '\\'`;
}
