import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.ts';
import { chunks } from '../chunks.ts';
import { QualifiedName } from '../qualified-name.ts';
import { isChildOf } from './child-names.ts';
import { ConflictError } from '../../errors/conflict-error.ts';
import { isJsonObject, mergeJson, type JsonObject } from './json-merge.ts';

export interface DefinitionMetadataEntry {
  name: QualifiedName;
  type: string;
  definitionMetadata: JsonObject;
  createdBy: string;
  createdDate: number;
  lastModifiedBy: string;
  lastModifiedDate: number;
}

/** Sort keys accepted by /metadata/definition/list, as Metacat's column names. */
export const DEFINITION_SORT_COLUMNS = {
  name: 'name',
  type: 'type',
  created_by: 'created_by',
  date_created: 'created_at',
  created_date: 'created_at',
  last_updated_by: 'updated_by',
  last_updated: 'updated_at',
  last_modified_date: 'updated_at',
} as const;
export type DefinitionSortKey = keyof typeof DEFINITION_SORT_COLUMNS;

export interface DefinitionListQuery {
  type?: string;
  /** SQL wildcards (`%`, `_`) over the qualified-name string. */
  namePattern?: string;
  /** Only documents whose `lifetime.days` equals this. */
  lifetime?: number;
  /** Only documents that have all of these top-level keys. */
  properties?: string[];
  sortBy?: DefinitionSortKey;
  sortOrder?: 'ASC' | 'DESC';
  offset?: number;
  limit?: number;
}

type Row = Tables['catalog_definition_metadata'];

const MAX_ATTEMPTS = 5;

/**
 * Definition metadata: free-form JSON about a logical entity, keyed by its qualified name. Updates
 * merge (json-merge.ts). It outlives the entity — a dropped and recreated table gets it back — unless
 * the service deletes it explicitly.
 */
export class DefinitionMetadataStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async get(name: QualifiedName, db: Kysely<Tables> = this.db): Promise<JsonObject | undefined> {
    const row = await db.selectFrom('catalog_definition_metadata').select('data').where('name', '=', name.toString()).executeTakeFirst();
    return row ? (JSON.parse(row.data) as JsonObject) : undefined;
  }

  async getMany(names: readonly QualifiedName[]): Promise<Map<string, JsonObject>> {
    const out = new Map<string, JsonObject>();
    for (const batch of chunks(names.map((n) => n.toString()), 1000)) {
      const rows = await this.db.selectFrom('catalog_definition_metadata').select(['name', 'data']).where('name', 'in', batch).execute();
      for (const row of rows) out.set(row.name, JSON.parse(row.data) as JsonObject);
    }
    return out;
  }

  /**
   * Merges `patch` into the stored document (creating it) and returns the result. The write is a
   * compare-and-swap on the document read, retried when a concurrent writer got there first, so two
   * concurrent merges of different keys both land.
   */
  async merge(trx: Kysely<Tables>, name: QualifiedName, patch: JsonObject, user: string, now: number): Promise<JsonObject> {
    return this.update(trx, name, (current) => mergeJson(current ?? {}, patch), user, now);
  }

  /** Replaces the stored document. */
  async put(trx: Kysely<Tables>, name: QualifiedName, data: JsonObject, user: string, now: number): Promise<void> {
    await this.update(trx, name, () => data, user, now);
  }

  private async update(
    trx: Kysely<Tables>,
    name: QualifiedName,
    change: (current: JsonObject | undefined) => JsonObject,
    user: string,
    now: number,
  ): Promise<JsonObject> {
    for (let attempt = 0; ; attempt += 1) {
      const row = await trx.selectFrom('catalog_definition_metadata').select('data').where('name', '=', name.toString()).executeTakeFirst();
      const next = change(row ? (JSON.parse(row.data) as JsonObject) : undefined);
      const data = JSON.stringify(next);
      const owner = ownerOf(next);
      const written = row
        ? await trx
            .updateTable('catalog_definition_metadata')
            .set({ data, owner, updated_by: user, updated_at: now })
            .where('name', '=', name.toString())
            .where('data', '=', row.data)
            .executeTakeFirst()
            .then((r) => Number(r.numUpdatedRows))
        : await trx
            .insertInto('catalog_definition_metadata')
            .values({ name: name.toString(), type: name.type, catalog: name.catalogName, data, owner, created_by: user, created_at: now, updated_by: user, updated_at: now })
            .onConflict((oc) => oc.column('name').doNothing())
            .executeTakeFirst()
            .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0));
      if (written === 1) return next;
      if (attempt >= MAX_ATTEMPTS) throw new ConflictError(`Definition metadata of ${name.toString()} keeps changing concurrently; retry`);
    }
  }

  /** Deletes the document of `name`, and with `withChildren` those of its partitions. */
  async delete(trx: Kysely<Tables>, name: QualifiedName, withChildren = false): Promise<void> {
    await trx
      .deleteFrom('catalog_definition_metadata')
      .where((eb) => (withChildren ? eb.or([eb('name', '=', name.toString()), isChildOf(name)]) : eb('name', '=', name.toString())))
      .execute();
  }

  /** Moves a table's document, and its partitions' documents, to a new table name. */
  async rename(trx: Kysely<Tables>, from: QualifiedName, to: QualifiedName, user: string, now: number): Promise<void> {
    const rows = await trx
      .selectFrom('catalog_definition_metadata')
      .select('name')
      .where((eb) => eb.or([eb('name', '=', from.toString()), isChildOf(from)]))
      .execute();
    for (const row of rows) {
      const renamed = to.toString() + row.name.slice(from.toString().length);
      await trx.deleteFrom('catalog_definition_metadata').where('name', '=', renamed).execute();
      await trx.updateTable('catalog_definition_metadata').set({ name: renamed, updated_by: user, updated_at: now }).where('name', '=', row.name).execute();
    }
  }

  async list(query: DefinitionListQuery): Promise<DefinitionMetadataEntry[]> {
    let select = this.db.selectFrom('catalog_definition_metadata').selectAll();
    if (query.type) select = select.where('type', '=', query.type.toUpperCase());
    if (query.namePattern) select = select.where('name', 'like', query.namePattern);
    const column = DEFINITION_SORT_COLUMNS[query.sortBy ?? 'name'];
    const direction = query.sortOrder === 'DESC' ? 'desc' : 'asc';
    select = select.orderBy(column, direction).orderBy('name', direction);
    // lifetime and property filters look inside the JSON, which is read here rather than in SQL.
    const inMemory = query.lifetime !== undefined || (query.properties?.length ?? 0) > 0;
    if (!inMemory && query.limit !== undefined) select = select.limit(query.limit).offset(query.offset ?? 0);
    else if (!inMemory && query.offset) select = select.limit(Number.MAX_SAFE_INTEGER).offset(query.offset);
    let entries = (await select.execute()).map(toEntry);
    if (inMemory) {
      entries = entries.filter((entry) => {
        const data = entry.definitionMetadata;
        if (query.lifetime !== undefined && !(isJsonObject(data.lifetime) && Number(data.lifetime.days) === query.lifetime)) return false;
        return (query.properties ?? []).every((key) => key in data);
      });
      const offset = query.offset ?? 0;
      entries = entries.slice(offset, query.limit === undefined ? undefined : offset + query.limit);
    }
    return entries;
  }

  /** Names whose document's `owner.userId` is one of `owners`. */
  async searchByOwners(owners: readonly string[]): Promise<QualifiedName[]> {
    if (owners.length === 0) return [];
    const rows = await this.db.selectFrom('catalog_definition_metadata').select('name').where('owner', 'in', [...owners]).orderBy('name').execute();
    return rows.map((row) => QualifiedName.parse(row.name));
  }
}

function toEntry(row: Row): DefinitionMetadataEntry {
  return {
    name: QualifiedName.parse(row.name),
    type: row.type,
    definitionMetadata: JSON.parse(row.data) as JsonObject,
    createdBy: row.created_by,
    createdDate: row.created_at,
    lastModifiedBy: row.updated_by,
    lastModifiedDate: row.updated_at,
  };
}

function ownerOf(data: JsonObject): string | null {
  return isJsonObject(data.owner) && typeof data.owner.userId === 'string' ? data.owner.userId : null;
}
