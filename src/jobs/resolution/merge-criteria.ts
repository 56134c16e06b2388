import type { Criterion } from '../resources.ts';

const FIELDS = ['id', 'name', 'version', 'status'] as const;

/**
 * Genie 4's merge of a command's cluster criterion with a job's: id, name, version and status are
 * kept when equal or given by one side only; two different values make the combination impossible
 * (undefined), which Genie treats like a query that matches nothing. Tags are the union.
 */
export function mergeCriteria(one: Criterion, two: Criterion): Criterion | undefined {
  const merged: Criterion = { tags: [...new Set([...one.tags, ...two.tags])].sort() };
  for (const field of FIELDS) {
    const a = one[field];
    const b = two[field];
    if (a !== undefined && b !== undefined && a !== b) return undefined;
    const value = a ?? b;
    if (value !== undefined) merged[field] = value;
  }
  return merged;
}
