import { sql, type ExpressionBuilder, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { DialectAdapter } from '../../db/adapters/dialect-adapter.ts';
import type { Tables } from '../../db/tables.ts';
import type { RegistryCommandTable, RegistryResourceRow } from '../../db/tables/registry.ts';
import type { Page, PageRequest } from '../paging.ts';
import type { Application, Cluster, Command, Criterion, ResourceKind, ResourceOf } from '../resources.ts';
import type { ResourceQuery } from './resource-query.ts';
import { parameterBatches } from '../../db/parameter-batches.ts';
import { InvalidInputError } from '../../errors/invalid-input-error.ts';

/** A resource as stored, with the row version a writer must present to replace it. */
export interface StoredResource<K extends ResourceKind> {
  resource: ResourceOf<K>;
  rowVersion: number;
}

type ResourceTable = 'registry_application' | 'registry_cluster' | 'registry_command';
/** Tags joined one by one in a criterion's query; the rest go to one grouped subquery. */
const JOINED_TAGS = 16;
/** Most distinct tags one criterion or search may name: each is a bound parameter of one statement. */
export const MAX_CRITERION_TAGS = 10_000;

type TagTable = 'registry_application_tag' | 'registry_cluster_tag' | 'registry_command_tag';

const TABLES: Record<ResourceKind, { resource: ResourceTable; tags: TagTable }> = {
  application: { resource: 'registry_application', tags: 'registry_application_tag' },
  cluster: { resource: 'registry_cluster', tags: 'registry_cluster_tag' },
  command: { resource: 'registry_command', tags: 'registry_command_tag' },
};

/** Every column any resource table has; kind-specific ones are absent on the other kinds. */
type AnyRow = RegistryResourceRow & { type?: string | null } & Partial<Pick<RegistryCommandTable, 'executable' | 'runtime' | 'cluster_criteria'>>;

/**
 * Queries are written once for the three resource tables, which share their common columns; the
 * builder is typed as if it were the cluster table and the kind-specific columns are handled apart.
 */
type Generic = Kysely<Tables & { r: AnyRow; t: { resource_id: string; tag: string } }>;

/** API sort fields and the columns they sort by. */
const SORT_COLUMNS: Record<string, keyof AnyRow> = {
  id: 'id',
  created: 'created',
  updated: 'updated',
  name: 'name',
  user: 'user_name',
  version: 'version',
  status: 'status',
  description: 'description',
  type: 'type',
};

const CRITERION_FIELDS = ['id', 'name', 'version', 'status'] as const;

export function sortableFields(kind: ResourceKind): string[] {
  return Object.keys(SORT_COLUMNS).filter((f) => f !== 'type' || kind === 'application');
}

// Large IN lists are split so that no statement exceeds either database's parameter limit.
const IN_CHUNK = 500;

function chunks<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += IN_CHUNK) out.push(values.slice(i, i + IN_CHUNK));
  return out;
}

function likeOrEqual(eb: ExpressionBuilder<{ r: AnyRow }, 'r'>, column: 'r.name' | 'r.user_name' | 'r.type', value: string): Expression<SqlBool> {
  return value.includes('%') ? eb(column, 'like', value) : eb(column, '=', value);
}

/**
 * The registry's persistence over Kysely. Knows tables and SQL, not Genie's rules (see
 * RegistryService). Every method runs on the handle it was built with: the database, or a
 * transaction from `transaction()`.
 */
export class RegistryRepository {
  private readonly db: Generic;

  constructor(
    db: Kysely<Tables>,
    readonly adapter: DialectAdapter,
  ) {
    this.db = db as unknown as Generic;
  }

  /** Runs `work` in one transaction, with a repository bound to it. */
  transaction<T>(work: (repository: RegistryRepository) => Promise<T>): Promise<T> {
    return (this.db as unknown as Kysely<Tables>)
      .transaction()
      .execute((trx) => work(new RegistryRepository(trx, this.adapter)));
  }

  private from(kind: ResourceKind) {
    return this.db.selectFrom(`${TABLES[kind].resource} as r` as 'r');
  }

  async get<K extends ResourceKind>(kind: K, id: string): Promise<StoredResource<K> | undefined> {
    const row = await this.from(kind).selectAll('r').where('r.id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const [resource] = await this.hydrate(kind, [row]);
    return { resource: resource!, rowVersion: row.row_version };
  }

  /** The resources with these ids that exist, in no particular order. */
  async getMany<K extends ResourceKind>(kind: K, ids: readonly string[]): Promise<ResourceOf<K>[]> {
    const rows: AnyRow[] = [];
    for (const part of chunks([...new Set(ids)])) {
      rows.push(...(await this.from(kind).selectAll('r').where('r.id', 'in', part).execute()));
    }
    return this.hydrate(kind, rows);
  }

  async exists(kind: ResourceKind, id: string): Promise<boolean> {
    const row = await this.from(kind).select('r.id').where('r.id', '=', id).executeTakeFirst();
    return row !== undefined;
  }

  /** Inserts a new resource; a taken id surfaces as the adapter's unique violation. */
  async insert<K extends ResourceKind>(kind: K, resource: ResourceOf<K>): Promise<void> {
    await this.db
      .insertInto(TABLES[kind].resource as 'r')
      .values({ ...toRow(kind, resource), row_version: 1 })
      .execute();
    await this.writeChildren(kind, resource);
  }

  /**
   * Replaces a resource if its row version is still `expected` (compare-and-swap). Answers false when
   * another writer got there first, in which case nothing was written.
   */
  async replace<K extends ResourceKind>(kind: K, resource: ResourceOf<K>, expected: number): Promise<boolean> {
    const { id: _id, created: _created, ...columns } = toRow(kind, resource);
    const result = await this.db
      .updateTable(TABLES[kind].resource as 'r')
      .set({ ...columns, row_version: expected + 1 })
      .where('id', '=', resource.id)
      .where('row_version', '=', expected)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await this.db.deleteFrom(TABLES[kind].tags as 't').where('resource_id', '=', resource.id).execute();
    if (kind === 'command') {
      await this.db.deleteFrom('registry_command_application').where('command_id', '=', resource.id).execute();
    }
    await this.writeChildren(kind, resource);
    return true;
  }

  private async writeChildren<K extends ResourceKind>(kind: K, resource: ResourceOf<K>): Promise<void> {
    // A resource may carry tens of thousands of tags: one insert per batch of bound parameters.
    for (const batch of parameterBatches(resource.tags, 2)) {
      await this.db
        .insertInto(TABLES[kind].tags as 't')
        .values(batch.map((tag) => ({ resource_id: resource.id, tag })))
        .execute();
    }
    if (kind === 'command') {
      const ids = (resource as Command).applicationIds;
      if (ids.length > 0) {
        await this.db
          .insertInto('registry_command_application')
          .values(ids.map((application_id, position) => ({ command_id: resource.id, position, application_id })))
          .execute();
      }
    }
  }

  /** Deletes one resource with its tags (and a command's application links); answers whether it existed. */
  async delete(kind: ResourceKind, id: string): Promise<boolean> {
    const result = await this.db.deleteFrom(TABLES[kind].resource as 'r').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async deleteAll(kind: ResourceKind): Promise<void> {
    await this.db.deleteFrom(TABLES[kind].resource as 'r').execute();
  }

  /** Ids of the commands that list the application, in id order. */
  async commandIdsUsing(applicationId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('registry_command_application')
      .select('command_id')
      .where('application_id', '=', applicationId)
      .orderBy('command_id')
      .execute();
    return rows.map((r) => r.command_id);
  }

  /** Ids of every application some command uses. */
  async applicationIdsInUse(): Promise<string[]> {
    const rows = await this.db.selectFrom('registry_command_application').select('application_id').distinct().execute();
    return rows.map((r) => r.application_id);
  }

  async commandsUsing(applicationId: string, statuses?: readonly string[]): Promise<Command[]> {
    let query = this.from('command')
      .selectAll('r')
      .where('r.id', 'in', this.db.selectFrom('registry_command_application').select('command_id').where('application_id', '=', applicationId));
    if (statuses) query = query.where('r.status', 'in', statuses.length > 0 ? [...statuses] : ['']);
    return this.hydrate('command', await query.orderBy('r.id').execute());
  }

  /** One page of a search, and the number of matches across all pages. */
  async search<K extends ResourceKind>(kind: K, query: ResourceQuery, page: PageRequest): Promise<Page<ResourceOf<K>>> {
    const empty: Page<ResourceOf<K>> = { items: [], total: 0, page: page.page, size: page.size };
    if (query.matchesNothing) return empty;
    const filtered = () => this.from(kind).where((eb) => this.queryFilter(kind, eb, query));
    const counted = await filtered().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const total = Number(counted.n);
    if (total === 0 || page.page * page.size >= total) return { ...empty, total };
    let select = filtered().selectAll('r');
    for (const order of page.sort) select = select.orderBy(`r.${SORT_COLUMNS[order.field]!}` as 'r.id', order.direction);
    const rows = await select.orderBy('r.id', 'asc').limit(page.size).offset(page.page * page.size).execute();
    return { items: await this.hydrate(kind, rows), total, page: page.page, size: page.size };
  }

  private queryFilter(kind: ResourceKind, eb: ExpressionBuilder<{ r: AnyRow }, 'r'>, query: ResourceQuery): Expression<SqlBool> {
    const parts: Expression<SqlBool>[] = [];
    if (query.id !== undefined) parts.push(eb('r.id', '=', query.id));
    if (query.name !== undefined) parts.push(likeOrEqual(eb, 'r.name', query.name));
    if (query.user !== undefined) parts.push(likeOrEqual(eb, 'r.user_name', query.user));
    if (query.type !== undefined) parts.push(likeOrEqual(eb, 'r.type', query.type));
    if (query.statuses !== undefined) parts.push(eb('r.status', 'in', query.statuses.length > 0 ? [...query.statuses] : ['']));
    if (query.minUpdated !== undefined) parts.push(eb('r.updated', '>=', query.minUpdated));
    if (query.maxUpdated !== undefined) parts.push(eb('r.updated', '<', query.maxUpdated));
    if (query.tags !== undefined && query.tags.length > 0) parts.push(eb('r.id', 'in', sql<string>`(${this.criterionIds(kind, { tags: [...query.tags] })})`));
    return eb.and(parts);
  }

  /**
   * The ids of the resources matching one effective criterion, as SQL. With tags, the scan starts
   * from one tag's index range and checks every other tag with a primary-key lookup on (resource,
   * tag), so the planner can start from the rarest tag and a criterion costs in proportion to it.
   */
  private criterionIds(kind: ResourceKind, criterion: Criterion): RawBuilder<unknown> {
    const { resource, tags } = TABLES[kind];
    const conditions = CRITERION_FIELDS.filter((f) => criterion[f] !== undefined).map((f) => sql`${sql.ref(`c.${f}`)} = ${criterion[f]!}`);
    const where = (first: RawBuilder<unknown>[]) => {
      const all = [...first, ...conditions];
      return all.length === 0 ? sql`` : sql`where ${sql.join(all, sql` and `)}`;
    };
    const distinct = [...new Set(criterion.tags)];
    if (distinct.length === 0) return sql`select c.id as id from ${sql.table(resource)} as c ${where([])}`;
    if (distinct.length > MAX_CRITERION_TAGS) {
      throw new InvalidInputError(`A criterion or search names ${distinct.length} distinct tags; at most ${MAX_CRITERION_TAGS} are allowed`, 'tags');
    }
    const alias = (k: number) => sql.id(`t${k}`);
    // SQLite joins at most 64 tables: past a few tags, the rest are checked by one grouped subquery.
    const joined = distinct.slice(1, JOINED_TAGS);
    const rest = distinct.slice(JOINED_TAGS);
    const joins = joined.map((tag, i) => sql`join ${sql.table(tags)} as ${alias(i + 1)} on ${alias(i + 1)}.resource_id = t0.resource_id and ${alias(i + 1)}.tag = ${tag}`);
    const withResource = conditions.length > 0 ? [sql`join ${sql.table(resource)} as c on c.id = t0.resource_id`] : [];
    const first = [sql`t0.tag = ${distinct[0]!}`];
    if (rest.length > 0) {
      first.push(
        sql`t0.resource_id in (select r.resource_id from ${sql.table(tags)} as r where r.tag in (${sql.join(rest)}) group by r.resource_id having count(*) = ${rest.length})`,
      );
    }
    return sql`select t0.resource_id as id from ${sql.table(tags)} as t0 ${sql.join([...joins, ...withResource], sql` `)} ${where(first)}`;
  }

  /**
   * Every resource matching at least one of the (effective) criteria, in one query: the union of
   * each criterion's ids. An empty list matches nothing.
   */
  async matchingAny<K extends ResourceKind>(kind: K, criteria: readonly Criterion[]): Promise<ResourceOf<K>[]> {
    if (criteria.length === 0) return [];
    const ids = sql.join(criteria.map((c) => this.criterionIds(kind, c)), sql` union `);
    const rows = await this.from(kind).selectAll('r').where('r.id', 'in', sql<string>`(${ids})`).orderBy('r.id').execute();
    return this.hydrate(kind, rows);
  }

  /** Rows to domain resources, with their tags (and a command's applications) loaded in bulk. */
  private async hydrate<K extends ResourceKind>(kind: K, rows: AnyRow[]): Promise<ResourceOf<K>[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const tags = new Map<string, string[]>();
    const apps = new Map<string, string[]>();
    for (const part of chunks(ids)) {
      const tagRows = await this.db
        .selectFrom(`${TABLES[kind].tags} as t` as 't')
        .select(['t.resource_id', 't.tag'])
        .where('t.resource_id', 'in', part)
        .orderBy('t.tag')
        .execute();
      for (const { resource_id, tag } of tagRows) push(tags, resource_id, tag);
      if (kind === 'command') {
        const links = await this.db
          .selectFrom('registry_command_application')
          .select(['command_id', 'application_id'])
          .where('command_id', 'in', part)
          .orderBy('command_id')
          .orderBy('position')
          .execute();
        for (const { command_id, application_id } of links) push(apps, command_id, application_id);
      }
    }
    return rows.map((row) => fromRow(kind, row, tags.get(row.id) ?? [], apps.get(row.id) ?? []));
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function toRow<K extends ResourceKind>(kind: K, resource: ResourceOf<K>): Omit<AnyRow, 'row_version'> {
  const row: Omit<AnyRow, 'row_version'> = {
    id: resource.id,
    name: resource.name,
    user_name: resource.user,
    version: resource.version,
    description: resource.description ?? null,
    metadata: resource.metadata === undefined ? null : JSON.stringify(resource.metadata),
    setup_file: resource.setupFile ?? null,
    configs: JSON.stringify(resource.configs),
    dependencies: JSON.stringify(resource.dependencies),
    status: resource.status,
    created: resource.created,
    updated: resource.updated,
  };
  if (kind === 'application') row.type = (resource as Application).type ?? null;
  if (kind === 'command') {
    const command = resource as Command;
    row.executable = JSON.stringify(command.executable);
    row.runtime = JSON.stringify(command.runtime);
    row.cluster_criteria = JSON.stringify(command.clusterCriteria);
  }
  return row;
}

function fromRow<K extends ResourceKind>(kind: K, row: AnyRow, tags: string[], applicationIds: string[]): ResourceOf<K> {
  const base = {
    id: row.id,
    created: Number(row.created),
    updated: Number(row.updated),
    name: row.name,
    user: row.user_name,
    version: row.version,
    tags,
    configs: JSON.parse(row.configs) as string[],
    dependencies: JSON.parse(row.dependencies) as string[],
    ...(row.description === null ? {} : { description: row.description }),
    ...(row.metadata === null ? {} : { metadata: JSON.parse(row.metadata) as unknown }),
    ...(row.setup_file === null ? {} : { setupFile: row.setup_file }),
  };
  if (kind === 'application') {
    const app: Application = { ...base, status: row.status as Application['status'], ...(row.type ? { type: row.type } : {}) };
    return app as ResourceOf<K>;
  }
  if (kind === 'cluster') return { ...base, status: row.status as Cluster['status'] } as ResourceOf<K>;
  const command: Command = {
    ...base,
    status: row.status as Command['status'],
    executable: JSON.parse(row.executable!) as string[],
    runtime: JSON.parse(row.runtime!) as Command['runtime'],
    clusterCriteria: JSON.parse(row.cluster_criteria!) as Criterion[],
    applicationIds,
  };
  return command as ResourceOf<K>;
}
