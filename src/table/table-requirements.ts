import { CommitFailedError } from './table-errors.ts';
import type { TableMetadata } from './table-metadata.ts';
import { toInt64, type Int64 } from './int64.ts';

/** Assertions a commit makes about the table it changes (REST spec "TableRequirement"). */
export type TableRequirement =
  | { type: 'assert-create' }
  | { type: 'assert-table-uuid'; uuid: string }
  | { type: 'assert-ref-snapshot-id'; ref: string; 'snapshot-id': Int64 | null }
  | { type: 'assert-last-assigned-field-id'; 'last-assigned-field-id': number }
  | { type: 'assert-current-schema-id'; 'current-schema-id': number }
  | { type: 'assert-last-assigned-partition-id'; 'last-assigned-partition-id': number }
  | { type: 'assert-default-spec-id'; 'default-spec-id': number }
  | { type: 'assert-default-sort-order-id'; 'default-sort-order-id': number };

export const REQUIREMENT_TYPES = [
  'assert-create',
  'assert-table-uuid',
  'assert-ref-snapshot-id',
  'assert-last-assigned-field-id',
  'assert-current-schema-id',
  'assert-last-assigned-partition-id',
  'assert-default-spec-id',
  'assert-default-sort-order-id',
] as const satisfies readonly TableRequirement['type'][];

/**
 * Checks each requirement against the table as it is now (`base` undefined: the table does not
 * exist). A failed one is a CommitFailedError: the client's view of the table is stale, and it may
 * refresh and retry. Called again on every retry after a lost pointer race, against the new base.
 */
export function checkRequirements(table: string, requirements: readonly TableRequirement[], base: TableMetadata | undefined): void {
  for (const [i, requirement] of requirements.entries()) {
    const problem = failure(requirement, base, `requirements[${i}]`);
    if (problem) throw new CommitFailedError(`Requirement failed for table ${table}: ${problem}`, { requirement: requirement.type });
  }
}

function failure(r: TableRequirement, md: TableMetadata | undefined, field: string): string | undefined {
  if (r.type === 'assert-create') return md ? 'the table already exists (assert-create)' : undefined;
  if (!md) return `the table does not exist (${r.type})`;
  const differs = (what: string, expected: unknown, actual: unknown) =>
    expected === actual ? undefined : `${what} has changed: expected ${String(expected)}, found ${String(actual)}`;
  switch (r.type) {
    case 'assert-table-uuid':
      return r.uuid.toLowerCase() === md.tableUuid.toLowerCase() ? undefined : `table UUID does not match: expected ${r.uuid}, found ${md.tableUuid}`;
    case 'assert-ref-snapshot-id': {
      const ref = md.refs[r.ref];
      const expected = r['snapshot-id'] === null || r['snapshot-id'] === undefined ? null : toInt64(r['snapshot-id'], `${field}.snapshot-id`);
      if (ref && expected === null) return `${ref.type} ${r.ref} was created concurrently (expected it not to exist)`;
      if (ref && expected !== ref.snapshotId) return `${ref.type} ${r.ref} has changed: expected snapshot ${expected}, found ${ref.snapshotId}`;
      if (!ref && expected !== null) return `branch or tag ${r.ref} is missing, expected snapshot ${expected}`;
      return undefined;
    }
    case 'assert-last-assigned-field-id':
      return differs('last assigned field id', r['last-assigned-field-id'], md.lastColumnId);
    case 'assert-current-schema-id':
      return differs('current schema id', r['current-schema-id'], md.currentSchemaId);
    case 'assert-last-assigned-partition-id':
      return differs('last assigned partition id', r['last-assigned-partition-id'], md.lastPartitionId);
    case 'assert-default-spec-id':
      return differs('default spec id', r['default-spec-id'], md.defaultSpecId);
    case 'assert-default-sort-order-id':
      return differs('default sort order id', r['default-sort-order-id'], md.defaultSortOrderId);
  }
}
