import { InvalidInputError } from '../../errors/invalid-input-error.ts';
import type { Criterion } from '../resources.ts';
import { splitAutoTags } from './auto-tags.ts';

/**
 * How criteria select resources, shared by the registry (`/commands/{id}/clusters`, resolvedClusters)
 * and job resolution, so the database query and the in-memory check cannot disagree.
 */

const FIELDS = ['id', 'name', 'version', 'status'] as const;

function blankToUndefined(value: string | undefined | null): string | undefined {
  return value === undefined || value === null || value.trim() === '' ? undefined : value;
}

/**
 * A criterion as clients send it, cleaned the way Genie does: blank fields are absent, blank tags are
 * dropped, duplicates removed. Throws when nothing is left, because an empty criterion would match
 * everything.
 */
export function cleanCriterion(input: Partial<Criterion> & { tags?: readonly string[] | null }): Criterion {
  const criterion: Criterion = { tags: [...new Set((input.tags ?? []).filter((t) => t.trim() !== ''))] };
  for (const field of FIELDS) {
    const value = blankToUndefined(input[field]);
    if (value !== undefined) criterion[field] = value;
  }
  if (FIELDS.every((f) => criterion[f] === undefined) && criterion.tags.length === 0) {
    throw new InvalidInputError('Invalid criterion. One of the fields must have a valid value', 'criterion');
  }
  return criterion;
}

/**
 * The criterion with `genie.id:` / `genie.name:` tags turned into id and name matches, ready for
 * matching; undefined when it cannot match anything (two different ids, or a tag naming another id
 * than the id field).
 */
export function effectiveCriterion(criterion: Criterion): Criterion | undefined {
  const split = splitAutoTags(criterion.tags);
  const ids = new Set([...(criterion.id === undefined ? [] : [criterion.id]), ...split.ids]);
  const names = new Set([...(criterion.name === undefined ? [] : [criterion.name]), ...split.names]);
  if (ids.size > 1 || names.size > 1) return undefined;
  const effective: Criterion = { ...criterion, tags: [...new Set(split.tags)].sort() };
  const [id] = ids;
  const [name] = names;
  if (id !== undefined) effective.id = id;
  if (name !== undefined) effective.name = name;
  return effective;
}

/** The criterion with `status` set to the default when it names none (UP clusters, ACTIVE commands). */
export function withDefaultStatus(criterion: Criterion, status: string): Criterion {
  return criterion.status === undefined ? { ...criterion, status } : criterion;
}

interface Matchable {
  id: string;
  name: string;
  version: string;
  status: string;
  tags: readonly string[];
}

/** Whether a resource satisfies an effective criterion: every given field equal, every tag present. */
export function matchesCriterion(resource: Matchable, criterion: Criterion): boolean {
  return (
    (criterion.id === undefined || resource.id === criterion.id) &&
    (criterion.name === undefined || resource.name === criterion.name) &&
    (criterion.version === undefined || resource.version === criterion.version) &&
    (criterion.status === undefined || resource.status === criterion.status) &&
    criterion.tags.every((tag) => resource.tags.includes(tag))
  );
}

/** A stable identity for an effective criterion, to query each distinct one once. */
export function criterionKey(criterion: Criterion): string {
  return JSON.stringify([criterion.id, criterion.name, criterion.version, criterion.status, [...criterion.tags].sort()]);
}

/** `[id: c1, status: UP, tags: a,b]`: how error messages and logs show a criterion. */
export function describeCriterion(criterion: Criterion): string {
  const parts: string[] = [];
  for (const field of FIELDS) {
    if (criterion[field] !== undefined) parts.push(`${field}: ${criterion[field]}`);
  }
  if (criterion.tags.length > 0) parts.push(`tags: ${[...criterion.tags].sort().join(',')}`);
  return `[${parts.join(', ')}]`;
}

/** Whether every resource matching `narrow` also matches `broad` (broad asks for no more than narrow). */
export function criterionCovers(broad: Criterion, narrow: Criterion): boolean {
  return FIELDS.every((f) => broad[f] === undefined || broad[f] === narrow[f]) && broad.tags.every((tag) => narrow.tags.includes(tag));
}

/**
 * The criteria minus those another one covers: the same union of matches with fewer branches for
 * the database to evaluate. Of two equal criteria, the first is kept.
 */
export function withoutCoveredCriteria(criteria: readonly Criterion[]): Criterion[] {
  return criteria.filter((narrow, i) => !criteria.some((broad, j) => j !== i && criterionCovers(broad, narrow) && (j < i || !criterionCovers(narrow, broad))));
}
