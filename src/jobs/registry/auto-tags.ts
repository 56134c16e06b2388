/**
 * Genie's automatic tags: every application, cluster and command answers with `genie.id:<id>` and
 * `genie.name:<name>` among its tags. They are derived, never stored; in searches and criteria they
 * stand for an id or name match.
 */
export const GENIE_ID_PREFIX = 'genie.id:';
export const GENIE_NAME_PREFIX = 'genie.name:';

export function isAutoTag(tag: string): boolean {
  return tag.startsWith(GENIE_ID_PREFIX) || tag.startsWith(GENIE_NAME_PREFIX);
}

/** The tags as Genie's v3 API shows them: the stored tags plus the two automatic ones. */
export function withAutoTags(resource: { id: string; name: string; tags: readonly string[] }): string[] {
  return [...resource.tags, GENIE_ID_PREFIX + resource.id, GENIE_NAME_PREFIX + resource.name];
}

export interface SplitTags {
  /** Ids named by `genie.id:` tags (more than one distinct id matches nothing). */
  ids: string[];
  names: string[];
  /** The remaining, stored tags. */
  tags: string[];
}

export function splitAutoTags(tags: readonly string[]): SplitTags {
  const split: SplitTags = { ids: [], names: [], tags: [] };
  for (const tag of tags) {
    if (tag.startsWith(GENIE_ID_PREFIX)) split.ids.push(tag.slice(GENIE_ID_PREFIX.length));
    else if (tag.startsWith(GENIE_NAME_PREFIX)) split.names.push(tag.slice(GENIE_NAME_PREFIX.length));
    else split.tags.push(tag);
  }
  return split;
}
