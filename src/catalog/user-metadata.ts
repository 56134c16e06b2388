import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';
import type { DataMetadataStore } from './metadata/data-metadata-store.ts';
import type { DefinitionMetadataStore } from './metadata/definition-metadata-store.ts';
import type { JsonObject } from './metadata/json-merge.ts';
import type { TagStore } from './metadata/tag-store.ts';
import type { QualifiedName } from './qualified-name.ts';

/**
 * User metadata as the services use it: definition metadata by name, data metadata by URI, and tags
 * mirrored into the definition metadata's `tags` array. Writes take the mutation's transaction.
 */
export class UserMetadata {
  constructor(
    readonly definitions: DefinitionMetadataStore,
    readonly data: DataMetadataStore,
    readonly tags: TagStore,
  ) {}

  /** Merges a definition-metadata patch when one is given; returns the resulting document (or the stored one). */
  async mergeDefinition(trx: Kysely<Tables>, name: QualifiedName, patch: JsonObject | null | undefined, user: string, now: number): Promise<JsonObject | undefined> {
    if (patch && Object.keys(patch).length > 0) return this.definitions.merge(trx, name, patch, user, now);
    return this.definitions.get(name, trx);
  }

  /** Merges a data-metadata patch into the document of `uri` when both are given; returns the document. */
  async mergeData(trx: Kysely<Tables>, uri: string | undefined, patch: JsonObject | null | undefined, user: string, now: number): Promise<JsonObject | undefined> {
    if (!uri) return undefined;
    if (patch && Object.keys(patch).length > 0) return this.data.merge(trx, uri, patch, user, now);
    return this.data.get(uri, trx);
  }

  /** Writes the name's current tags into its definition metadata, as Metacat mirrors them. */
  async mirrorTags(trx: Kysely<Tables>, name: QualifiedName, tags: string[], user: string, now: number): Promise<void> {
    const current = await this.definitions.get(name, trx);
    if (!current && tags.length === 0) return;
    const next: JsonObject = { ...(current ?? {}) };
    if (tags.length > 0) next.tags = tags;
    else delete next.tags;
    await this.definitions.put(trx, name, next, user, now);
  }
}
