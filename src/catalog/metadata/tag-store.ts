import { sql, type Kysely } from 'kysely';
import type { Tables } from '../../db/tables.ts';
import { QualifiedName, type QualifiedNameType } from '../qualified-name.ts';
import { isChildOf } from './child-names.ts';
import { parameterBatches } from '../../db/parameter-batches.ts';

export interface TagListQuery {
  /** Names carrying any of these tags (all tagged names when absent). */
  include?: readonly string[];
  /** Minus names carrying any of these. */
  exclude?: readonly string[];
  catalog?: string;
  database?: string;
  table?: string;
  type?: QualifiedNameType;
}

/**
 * Tags on qualified names of any kind. The service mirrors a name's tags into its definition
 * metadata (`tags`), as Metacat does; this store is the index that answers list and search.
 */
export class TagStore {
  constructor(private readonly db: Kysely<Tables>) {}

  async tagsOf(name: QualifiedName, db: Kysely<Tables> = this.db): Promise<string[]> {
    const rows = await db.selectFrom('catalog_tag').select('tag').where('name', '=', name.toString()).orderBy('tag').execute();
    return rows.map((row) => row.tag);
  }

  async allTags(): Promise<string[]> {
    const rows = await this.db.selectFrom('catalog_tag').select('tag').distinct().orderBy('tag').execute();
    return rows.map((row) => row.tag);
  }

  /** Adds tags (ignoring ones already there); returns the name's tags afterwards. */
  async add(trx: Kysely<Tables>, name: QualifiedName, tags: readonly string[], user: string, now: number): Promise<string[]> {
    const current = new Set(await this.tagsOf(name, trx));
    const fresh = [...new Set(tags)].filter((tag) => !current.has(tag));
    // Thousands of tags on one name: one insert per batch of bound parameters.
    for (const batch of parameterBatches(fresh, 6)) {
      await trx
        .insertInto('catalog_tag')
        .values(batch.map((tag) => ({ name: name.toString(), tag, type: name.type, catalog: name.catalogName, created_by: user, created_at: now })))
        // A concurrent request may have added the same tag: it is there either way.
        .onConflict((oc) => oc.columns(['name', 'tag']).doNothing())
        .execute();
    }
    return this.tagsOf(name, trx);
  }

  /** Removes the given tags, or all of them; returns the name's tags afterwards. */
  async remove(trx: Kysely<Tables>, name: QualifiedName, tags: readonly string[] | 'all'): Promise<string[]> {
    const query = trx.deleteFrom('catalog_tag').where('name', '=', name.toString());
    if (tags === 'all') await query.execute();
    else for (const batch of parameterBatches([...new Set(tags)], 1, 1)) await query.where('tag', 'in', batch).execute();
    return this.tagsOf(name, trx);
  }

  /** Moves a table's tags (and its partitions') to a new table name. */
  async rename(trx: Kysely<Tables>, from: QualifiedName, to: QualifiedName): Promise<void> {
    const rows = await trx.selectFrom('catalog_tag').select('name').distinct()
      .where((eb) => eb.or([eb('name', '=', from.toString()), isChildOf(from)]))
      .execute();
    for (const row of rows) {
      await trx.updateTable('catalog_tag').set({ name: to.toString() + row.name.slice(from.toString().length) }).where('name', '=', row.name).execute();
    }
  }

  async list(query: TagListQuery): Promise<QualifiedName[]> {
    let select = this.db.selectFrom('catalog_tag').select('name').distinct();
    if (query.include && query.include.length > 0) select = select.where('tag', 'in', [...query.include]);
    if (query.exclude && query.exclude.length > 0) {
      const excluded = [...query.exclude];
      select = select.where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('catalog_tag as x').select('x.tag').whereRef('x.name', '=', 'catalog_tag.name').where('x.tag', 'in', excluded))),
      );
    }
    if (query.type) select = select.where('type', '=', query.type);
    if (query.catalog) select = select.where('catalog', '=', query.catalog.toLowerCase());
    const rows = await select.orderBy('name').execute();
    return rows.map((row) => QualifiedName.parse(row.name)).filter((name) => matchesScope(name, query));
  }

  /** Names carrying a tag that contains `term`. */
  async search(term: string, scope: Omit<TagListQuery, 'include' | 'exclude' | 'type'>): Promise<QualifiedName[]> {
    const pattern = `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    let select = this.db.selectFrom('catalog_tag').select('name').distinct().where(sql<boolean>`tag like ${pattern} escape '\\'`);
    if (scope.catalog) select = select.where('catalog', '=', scope.catalog.toLowerCase());
    const rows = await select.orderBy('name').execute();
    return rows.map((row) => QualifiedName.parse(row.name)).filter((name) => matchesScope(name, scope));
  }
}

function matchesScope(name: QualifiedName, scope: { database?: string; table?: string }): boolean {
  if (scope.database && name.databaseName !== scope.database.toLowerCase()) return false;
  if (scope.table && name.tableName !== scope.table.toLowerCase()) return false;
  return true;
}
