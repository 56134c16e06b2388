import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import type { CatalogMutations } from './catalog-mutation.ts';
import type { CatalogRegistry } from './catalog-registry.ts';
import type { TagListQuery } from './metadata/tag-store.ts';
import type { QualifiedName, QualifiedNameJson } from './qualified-name.ts';
import type { RequestContext } from './request-context.ts';
import type { UserMetadata } from './user-metadata.ts';

/**
 * Tags on catalogs, databases, tables and partitions. A change is mirrored into the entity's
 * definition metadata (`tags`) and announced as a TAGS_UPDATE event.
 */
export class TagService {
  constructor(
    private readonly registry: CatalogRegistry,
    private readonly mutations: CatalogMutations,
    private readonly metadata: UserMetadata,
  ) {}

  allTags(): Promise<string[]> {
    return this.metadata.tags.allTags();
  }

  async list(query: TagListQuery): Promise<QualifiedNameJson[]> {
    return (await this.metadata.tags.list(query)).map((name) => name.toJSON());
  }

  async search(term: string, scope: Omit<TagListQuery, 'include' | 'exclude' | 'type'>): Promise<QualifiedNameJson[]> {
    return (await this.metadata.tags.search(term, scope)).map((name) => name.toJSON());
  }

  /** Adds tags to an existing entity; returns its tags afterwards. */
  async add(context: RequestContext, name: QualifiedName, tags: readonly string[]): Promise<string[]> {
    const clean = cleanTags(tags);
    await this.requireEntity(name);
    return this.mutations.run(context, async (write, events) => {
      const before = await this.metadata.tags.tagsOf(name, write.transaction);
      const after = await this.metadata.tags.add(write.transaction, name, clean, write.user, write.now);
      await this.metadata.mirrorTags(write.transaction, name, after, write.user, write.now);
      const added = after.filter((tag) => !before.includes(tag));
      if (added.length > 0) events.emit('TAGS_UPDATE', name, { tags: after, added, removed: [] });
      return after;
    });
  }

  /** Removes the given tags, or all of them. */
  async remove(context: RequestContext, name: QualifiedName, tags: readonly string[] | 'all'): Promise<void> {
    this.registry.get(name.catalogName);
    const clean = tags === 'all' ? 'all' : cleanTags(tags);
    await this.mutations.run(context, async (write, events) => {
      const before = await this.metadata.tags.tagsOf(name, write.transaction);
      const after = await this.metadata.tags.remove(write.transaction, name, clean);
      const removed = before.filter((tag) => !after.includes(tag));
      if (removed.length === 0) return;
      await this.metadata.mirrorTags(write.transaction, name, after, write.user, write.now);
      events.emit('TAGS_UPDATE', name, { tags: after, added: [], removed });
    });
  }

  private async requireEntity(name: QualifiedName): Promise<void> {
    const { connector } = this.registry.get(name.catalogName);
    const exists =
      name.type === 'CATALOG'
        ? true
        : name.type === 'DATABASE'
          ? (await connector.getDatabase(name)) !== undefined
          : (await connector.getTable(name.table, { metadataLocationOnly: true })) !== undefined;
    if (!exists) throw new NotFoundError(`${name.type === 'DATABASE' ? 'Database' : 'Table'} ${name.type === 'DATABASE' ? name.toString() : name.table.toString()} does not exist`);
  }
}

function cleanTags(tags: readonly string[]): string[] {
  const out = tags.map((tag) => tag.trim());
  const bad = out.find((tag) => tag === '' || tag.length > 255);
  if (bad !== undefined) throw new InvalidInputError('Tags must be non-empty and at most 255 characters', 'tags');
  return [...new Set(out)];
}
