import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.ts';
import { ConflictError } from '../../errors/conflict-error.ts';
import { mergeJson, type JsonObject } from './json-merge.ts';

/**
 * Data metadata: free-form JSON about physical data (row counts, metrics), keyed by the data's URI,
 * not by a name — point a table at another location and another document applies; point it back and
 * the old one returns. Dropping a table marks its document deleted (hidden); purgeDeleted() removes
 * marked documents for good. Writing to a marked URI revives it.
 */
export class DataMetadataStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async get(uri: string, db: Kysely<Tables> = this.db): Promise<JsonObject | undefined> {
    const row = await db.selectFrom('catalog_data_metadata').select('data').where('uri', '=', uri).where('deleted_at', 'is', null).executeTakeFirst();
    return row ? (JSON.parse(row.data) as JsonObject) : undefined;
  }

  /** Merges `patch` into the document of `uri` (a compare-and-swap, retried on a concurrent change). */
  async merge(trx: Kysely<Tables>, uri: string, patch: JsonObject, user: string, now: number): Promise<JsonObject> {
    for (let attempt = 0; ; attempt += 1) {
      const row = await trx.selectFrom('catalog_data_metadata').select(['data', 'deleted_at']).where('uri', '=', uri).executeTakeFirst();
      const current = row && row.deleted_at === null ? (JSON.parse(row.data) as JsonObject) : {};
      const next = mergeJson(current, patch);
      const data = JSON.stringify(next);
      const written = row
        ? await trx
            .updateTable('catalog_data_metadata')
            .set({ data, updated_by: user, updated_at: now, deleted_at: null })
            .where('uri', '=', uri)
            .where('data', '=', row.data)
            .executeTakeFirst()
            .then((r) => Number(r.numUpdatedRows))
        : await trx
            .insertInto('catalog_data_metadata')
            .values({ uri, data, created_by: user, created_at: now, updated_by: user, updated_at: now, deleted_at: null })
            .onConflict((oc) => oc.column('uri').doNothing())
            .executeTakeFirst()
            .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0));
      if (written === 1) return next;
      if (attempt >= 5) throw new ConflictError(`Data metadata of ${uri} keeps changing concurrently; retry`);
    }
  }

  async markDeleted(trx: Kysely<Tables>, uri: string, now: number): Promise<void> {
    await trx.updateTable('catalog_data_metadata').set({ deleted_at: now }).where('uri', '=', uri).where('deleted_at', 'is', null).execute();
  }

  /** Removes documents marked deleted before `before` (epoch ms); returns how many. */
  async purgeDeleted(before: number): Promise<number> {
    const result = await this.db.deleteFrom('catalog_data_metadata').where('deleted_at', 'is not', null).where('deleted_at', '<=', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
