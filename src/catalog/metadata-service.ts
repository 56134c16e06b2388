import type { CatalogRegistry } from './catalog-registry.ts';
import type { DefinitionListQuery } from './metadata/definition-metadata-store.ts';
import type { JsonObject } from './metadata/json-merge.ts';
import type { QualifiedName, QualifiedNameJson } from './qualified-name.ts';
import type { RequestContext } from './request-context.ts';
import type { CatalogMutations } from './catalog-mutation.ts';
import type { UserMetadata } from './user-metadata.ts';

export interface DefinitionMetadataOut {
  name: QualifiedNameJson;
  definitionMetadata: JsonObject;
}

/** The /metadata endpoints: data metadata by URI, definition metadata listing, owner search and cleanup. */
export class MetadataService {
  constructor(
    private readonly registry: CatalogRegistry,
    private readonly mutations: CatalogMutations,
    private readonly metadata: UserMetadata,
  ) {}

  async dataMetadata(uri: string): Promise<{ uri: string; dataMetadata: JsonObject }> {
    return { uri, dataMetadata: (await this.metadata.data.get(uri)) ?? {} };
  }

  async listDefinitions(query: DefinitionListQuery): Promise<DefinitionMetadataOut[]> {
    const entries = await this.metadata.definitions.list(query);
    return entries.map((entry) => ({ name: entry.name.toJSON(), definitionMetadata: entry.definitionMetadata }));
  }

  async searchByOwners(owners: readonly string[]): Promise<QualifiedNameJson[]> {
    return (await this.metadata.definitions.searchByOwners(owners)).map((name) => name.toJSON());
  }

  /**
   * Deletes an entity's definition metadata. While the entity still exists this is skipped (returns
   * false) unless `force`.
   */
  async deleteDefinition(context: RequestContext, name: QualifiedName, force: boolean): Promise<boolean> {
    if (!force && (await this.exists(name))) return false;
    await this.mutations.run(context, async (write) => {
      await this.metadata.definitions.delete(write.transaction, name);
    });
    return true;
  }

  /** Purges data metadata of dropped tables; returns how many documents went. */
  purgeDeletedData(before = Date.now()): Promise<number> {
    return this.metadata.data.purgeDeleted(before);
  }

  private async exists(name: QualifiedName): Promise<boolean> {
    const catalog = this.registry.find(name.catalogName);
    if (!catalog) return false;
    switch (name.type) {
      case 'CATALOG':
        return true;
      case 'DATABASE':
        return (await catalog.connector.getDatabase(name)) !== undefined;
      default:
        return (await catalog.connector.getTable(name.table, { metadataLocationOnly: true })) !== undefined;
    }
  }
}
