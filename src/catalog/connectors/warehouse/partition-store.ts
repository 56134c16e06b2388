import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DialectAdapter } from '../../../db/adapters/dialect-adapter.ts';
import type { Tables } from '../../../db/tables.ts';
import { ConflictError } from '../../../errors/conflict-error.ts';
import { NotFoundError } from '../../../errors/not-found-error.ts';
import { InvalidInputError } from '../../../errors/invalid-input-error.ts';
import type { FieldInfo, PartitionInfo, StorageInfo } from '../../catalog-model.ts';
import { chunks } from '../../chunks.ts';
import type { ConnectorWrite, PartitionListRequest, PartitionSaveRequest, PartitionSaveResult, PartitionSortField } from '../../connector.ts';
import { compileFilter, type FilterRow } from '../../filter/filter-evaluator.ts';
import { bindFilter, type BoundFilter } from '../../filter/filter-schema.ts';
import { filterToSql, type FilterSqlColumns } from '../../filter/filter-sql.ts';
import { compareCodePoints, numericValueOf } from '../../filter/numeric-value.ts';
import { readJson, writeJson } from '../../json-column.ts';
import { partitionFilterRow, partitionFilterSchema } from '../../partition-filter.ts';
import { parsePartitionName, unescapePartitionValue } from '../../partition-name.ts';
import type { QualifiedName } from '../../qualified-name.ts';
import { drivingKey, type DrivingKey } from './driving-key.ts';

/** The table a partition operation is about, as the warehouse connector stored it. */
export interface PartitionedTable {
  readonly id: number;
  readonly name: QualifiedName;
  readonly keys: readonly FieldInfo[];
}

interface PartitionRow {
  id: number;
  name: string;
  uri: string | null;
  serde: string | null;
  params: string | null;
  created_by: string;
  created_at: number;
  updated_by: string;
  updated_at: number;
}

// Rows per statement, keeping every statement under SQLite's 32766 bound parameters.
const PARTITION_ROWS_PER_INSERT = 1000;
const VALUE_ROWS_PER_INSERT = 4000;
const NAMES_PER_QUERY = 1000;
const NO_LIMIT = Number.MAX_SAFE_INTEGER;
/** Rows read per query when a filter is finished in memory. */
const SCAN_PAGE = 2000;
/** Below this many candidates a driving key is always worth its sort. */
const DRIVER_CANDIDATE_CAP = 5000;

/**
 * Partitions of the warehouse connector's Hive-style tables, in catalog_partition with one
 * catalog_partition_value row per key. Filters are pushed down as joins on the value rows (one join
 * per key the filter names), using the (table, key, value) indexes; what has no SQL form (MATCHES) is
 * finished in memory with the same semantics.
 */
export class PartitionStore {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly adapter: DialectAdapter,
  ) {}

  async list(table: PartitionedTable, request: PartitionListRequest): Promise<PartitionInfo[]> {
    const bound = request.filter ? bindFilter(request.filter, partitionFilterSchema(table.name, table.keys)) : undefined;
    const predicate = bound ? compileFilter(bound) : undefined;
    const offset = request.offset ?? 0;
    const limit = request.limit ?? NO_LIMIT;

    if (request.names) {
      // Named lookups run in chunks; the chunks' rows are filtered, sorted and paged here.
      const rows: PartitionRow[] = [];
      for (const names of chunks([...new Set(request.names)], NAMES_PER_QUERY)) {
        rows.push(...(await this.query(table, bound, request, { names })));
      }
      const matching = predicate ? rows.filter((row) => predicate(filterRow(table, row))) : rows;
      matching.sort(rowComparator(request.sortBy ?? 'name', request.sortOrder ?? 'ASC'));
      return matching.slice(offset, offset + limit).map((row) => toPartition(table, row));
    }

    const exact = bound ? filterToSql(bound, valueColumns(table)).exact : true;
    if (exact) {
      const driver = await this.chooseDriver(table, bound, request, offset + limit);
      const rows = await this.query(table, bound, request, { offset, limit, driver });
      return rows.map((row) => toPartition(table, row));
    }
    // The SQL selects a superset in the requested order: read it a page at a time (keyset paging, so
    // a whole-table MATCHES never holds the table in memory), finish the filter, stop when paged out.
    const matching: PartitionRow[] = [];
    let after: PartitionRow | undefined;
    for (;;) {
      const rows = await this.query(table, bound, request, { limit: SCAN_PAGE, after, driver: bound && drivingKey(bound, table.keys.length) });
      for (const row of rows) if (predicate!(filterRow(table, row))) matching.push(row);
      if (rows.length < SCAN_PAGE || matching.length >= offset + limit) break;
      after = rows[rows.length - 1];
    }
    return matching.slice(offset, offset + limit).map((row) => toPartition(table, row));
  }

  async count(tableId: number, db: Kysely<Tables> = this.db): Promise<number> {
    const row = await db
      .selectFrom('catalog_partition')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('table_id', '=', tableId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async query(
    table: PartitionedTable,
    bound: BoundFilter | undefined,
    request: PartitionListRequest,
    options: { names?: string[]; offset?: number; limit?: number; after?: PartitionRow; driver?: DrivingKey },
  ): Promise<PartitionRow[]> {
    const columns = valueColumns(table);
    const sqlFilter = bound ? filterToSql(bound, columns) : undefined;
    const keySlots = (bound?.slots ?? []).filter((slot) => slot < table.keys.length);
    const driver = options.names ? undefined : options.driver?.slot;
    // CROSS JOIN fixes the join order in SQLite (the driving key's value rows first, then the
    // partition, then the other keys' value rows by primary key); PostgreSQL reorders it freely.
    const ordered = driver === undefined ? keySlots : [driver, ...keySlots.filter((slot) => slot !== driver)];
    const valueTable = (slot: number) => sql`catalog_partition_value ${sql.id(`v${slot}`)}`;
    const from =
      driver === undefined
        ? sql`catalog_partition p ${sql.join(ordered.map((slot) => sql`cross join ${valueTable(slot)}`), sql` `)}`
        : sql`${valueTable(driver)} cross join catalog_partition p ${sql.join(ordered.slice(1).map((slot) => sql`cross join ${valueTable(slot)}`), sql` `)}`;
    const conditions: RawBuilder<unknown>[] = [sql`p.table_id = ${table.id}`];
    for (const slot of ordered) {
      conditions.push(sql`${sql.ref(`v${slot}.table_id`)} = ${table.id} and ${sql.ref(`v${slot}.key_pos`)} = ${slot} and ${sql.ref(`v${slot}.partition_id`)} = p.id`);
    }
    if (options.names) conditions.push(sql`p.name in (${sql.join(options.names)})`);
    if (sqlFilter?.condition) conditions.push(sqlFilter.condition);
    const descending = request.sortOrder === 'DESC';
    const direction = sql.raw(descending ? 'desc' : 'asc');
    const sortBy = request.sortBy ?? 'name';
    const order = ORDER_COLUMN[sortBy];
    if (options.after) {
      // Rows after the last one seen, in (sort key, name) order.
      const beyond = sql.raw(descending ? '<' : '>');
      const name = options.after.name;
      conditions.push(
        order
          ? sql`(${order} ${beyond} ${sortValue(sortBy, options.after)} or (${order} = ${sortValue(sortBy, options.after)} and p.name ${beyond} ${name}))`
          : sql`p.name ${beyond} ${name}`,
      );
    }
    const orderBy = order ? sql`${order} ${direction}, p.name ${direction}` : sql`p.name ${direction}`;
    const page = options.limit !== undefined ? sql`limit ${options.limit} offset ${options.offset ?? 0}` : sql``;
    const result = await sql<PartitionRow>`
      select p.id, p.name, p.uri, p.serde, p.params, p.created_by, p.created_at, p.updated_by, p.updated_at
      from ${from}
      where ${sql.join(conditions, sql` and `)}
      order by ${orderBy} ${page}`.execute(this.db);
    return result.rows;
  }

  /**
   * The key to drive a paged listing from, or none. Driving from a key's index and sorting its matches
   * wins when the key is selective; when it is not (`region like 'r1%'` over a fifth of a million
   * partitions), walking the partitions in name order and stopping at the page is far cheaper. An
   * index-only count of the driver's candidates, capped, tells the two apart at the cost of a short
   * index scan.
   */
  private async chooseDriver(
    table: PartitionedTable,
    bound: BoundFilter | undefined,
    request: PartitionListRequest,
    wanted: number,
  ): Promise<DrivingKey | undefined> {
    const driver = bound && drivingKey(bound, table.keys.length);
    if (!driver || (request.sortBy ?? 'name') !== 'name' || wanted >= NO_LIMIT) return driver;
    const cap = Math.max(DRIVER_CANDIDATE_CAP, 20 * wanted);
    const condition = filterToSql({ ...bound, root: driver.predicate }, valueColumns(table)).condition!;
    const alias = sql.id(`v${driver.slot}`);
    const counted = await sql<{ n: number }>`
      select count(*) as n from (
        select 1 from catalog_partition_value ${alias}
        where ${sql.ref(`v${driver.slot}.table_id`)} = ${table.id} and ${sql.ref(`v${driver.slot}.key_pos`)} = ${driver.slot} and ${condition}
        limit ${cap}
      ) candidates`.execute(this.db);
    return Number(counted.rows[0]?.n ?? 0) >= cap ? undefined : driver;
  }

  /**
   * Saves partitions (reference/metacat.md §2 "Save semantics"): new names are added; an existing
   * partition with the same location is left alone and not reported; one with another location is
   * reported as updated and gets the new location — altered in place (keeping its parameters) with
   * `alterIfExists`, otherwise replaced (taking the request's parameters). Either way it keeps its
   * creation date. A missing location keeps the existing one; trailing slashes are stripped.
   */
  async save(write: ConnectorWrite, table: PartitionedTable, request: PartitionSaveRequest): Promise<PartitionSaveResult> {
    const trx = write.transaction;
    const incoming = new Map<string, { values: readonly string[]; partition: PartitionInfo }>();
    for (const partition of request.partitions) {
      const parsed = parsePartitionName(partition.name.partitionName ?? '', table.keys, table.name.toString());
      if (incoming.has(parsed.name)) throw new InvalidInputError(`Partition ${JSON.stringify(parsed.name)} appears twice in the request`, 'partitions');
      incoming.set(parsed.name, { values: parsed.values, partition });
    }
    const deletes = [...new Set(request.deletes.map((name) => parsePartitionName(name, table.keys, table.name.toString()).name))];

    const existing = new Map<string, PartitionRow>();
    for (const names of chunks([...incoming.keys()], NAMES_PER_QUERY)) {
      const rows = await trx.selectFrom('catalog_partition').selectAll().where('table_id', '=', table.id).where('name', 'in', names).execute();
      for (const row of rows) existing.set(row.name, row as PartitionRow);
    }

    const added: string[] = [];
    const updated: string[] = [];
    const inserts: Array<{ name: string; values: readonly string[]; partition: PartitionInfo }> = [];
    for (const [name, { values, partition }] of incoming) {
      const uri = normalizeUri(partition.serde?.uri);
      const current = existing.get(name);
      if (!current) {
        inserts.push({ name, values, partition });
        added.push(name);
        continue;
      }
      if (uri === undefined || uri === current.uri) continue;
      const serde = { ...(request.alterIfExists ? readJson<StorageInfo>(current.serde, {}) : {}), ...storageWithoutUri(partition.serde) };
      const params = request.alterIfExists ? { ...readJson(current.params, {}), ...partition.metadata } : partition.metadata;
      await trx
        .updateTable('catalog_partition')
        .set({ uri, serde: writeJson(serde), params: writeJson(params), updated_by: write.user, updated_at: write.now })
        .where('id', '=', current.id)
        .execute();
      updated.push(name);
    }

    for (const batch of chunks(inserts, PARTITION_ROWS_PER_INSERT)) {
      const ids = await this.insertPartitions(trx, table, batch, write);
      const idByName = new Map(ids.map((row) => [row.name, Number(row.id)]));
      const valueRows = batch.flatMap(({ name, values }) =>
        values.map((value, keyPos) => ({
          partition_id: idByName.get(name)!,
          table_id: table.id,
          key_pos: keyPos,
          str_value: value,
          num_value: numericValueOf(value),
        })),
      );
      for (const values of chunks(valueRows, VALUE_ROWS_PER_INSERT)) await trx.insertInto('catalog_partition_value').values(values).execute();
    }

    const deleted = deletes.length > 0 ? await this.deleteByName(trx, table.id, deletes) : [];
    return { added, updated, deleted };
  }

  private async insertPartitions(
    trx: Kysely<Tables>,
    table: PartitionedTable,
    batch: ReadonlyArray<{ name: string; partition: PartitionInfo }>,
    write: ConnectorWrite,
  ): Promise<Array<{ id: number; name: string }>> {
    try {
      return await trx
        .insertInto('catalog_partition')
        .values(
          batch.map(({ name, partition }) => ({
            table_id: table.id,
            name,
            uri: normalizeUri(partition.serde?.uri) ?? null,
            serde: writeJson(storageWithoutUri(partition.serde)),
            params: writeJson(partition.metadata),
            created_by: write.user,
            created_at: write.now,
            updated_by: write.user,
            updated_at: write.now,
          })),
        )
        .returning(['id', 'name'])
        .execute();
    } catch (error) {
      // Another request added one of these partitions since this one looked.
      if (this.adapter.isUniqueViolation(error)) throw new ConflictError(`Partitions of ${table.name.toString()} were added concurrently; retry the save`);
      throw error;
    }
  }

  /** Drops the named partitions; all must exist, or none is dropped. */
  async delete(write: ConnectorWrite, table: PartitionedTable, names: readonly string[]): Promise<void> {
    const canonical = [...new Set(names.map((name) => parsePartitionName(name, table.keys, table.name.toString()).name))];
    const deleted = await this.deleteByName(write.transaction, table.id, canonical);
    if (deleted.length !== canonical.length) {
      const found = new Set(deleted);
      const missing = canonical.filter((name) => !found.has(name));
      // Raising rolls back the service's transaction, so nothing was dropped.
      throw new NotFoundError(`Partition ${JSON.stringify(missing[0])} of table ${table.name.toString()} does not exist${missing.length > 1 ? ` (nor ${missing.length - 1} other(s))` : ''}`);
    }
  }

  /** Drops every partition of a table (before the table itself is dropped). */
  async deleteAll(trx: Kysely<Tables>, tableId: number): Promise<void> {
    await trx.deleteFrom('catalog_partition_value').where('table_id', '=', tableId).execute();
    await trx.deleteFrom('catalog_partition').where('table_id', '=', tableId).execute();
  }

  private async deleteByName(trx: Kysely<Tables>, tableId: number, names: readonly string[]): Promise<string[]> {
    const deleted: string[] = [];
    for (const batch of chunks(names, NAMES_PER_QUERY)) {
      const rows = await trx.selectFrom('catalog_partition').select(['id', 'name']).where('table_id', '=', tableId).where('name', 'in', batch).execute();
      if (rows.length === 0) continue;
      const ids = rows.map((row) => row.id);
      await trx.deleteFrom('catalog_partition_value').where('partition_id', 'in', ids).execute();
      await trx.deleteFrom('catalog_partition').where('id', 'in', ids).execute();
      deleted.push(...rows.map((row) => row.name));
    }
    return deleted;
  }
}

function valueColumns(table: PartitionedTable): FilterSqlColumns {
  const keys = table.keys.length;
  // Integer division: epoch milliseconds to whole seconds on both databases.
  const createdSeconds = sql`(p.created_at / 1000)`;
  return {
    text: (slot) => (slot < keys ? sql.ref(`v${slot}.str_value`) : sql`cast(${createdSeconds} as text)`),
    number: (slot) => (slot < keys ? sql.ref(`v${slot}.num_value`) : createdSeconds),
  };
}

/** The filter row of a stored partition: key values from its name, then dateCreated. */
function filterRow(table: PartitionedTable, row: PartitionRow): FilterRow {
  const values = row.name.split('/').map((part) => unescapePartitionValue(part.slice(part.indexOf('=') + 1)));
  values.length = table.keys.length;
  return partitionFilterRow(values, row.created_at);
}

const ORDER_COLUMN: Record<PartitionSortField, RawBuilder<unknown> | undefined> = {
  name: undefined,
  createdDate: sql`p.created_at`,
  lastModifiedDate: sql`p.updated_at`,
  uri: sql`coalesce(p.uri, '')`,
};

function sortValue(sortBy: PartitionSortField, row: PartitionRow): number | string {
  switch (sortBy) {
    case 'createdDate':
      return row.created_at;
    case 'lastModifiedDate':
      return row.updated_at;
    case 'uri':
      return row.uri ?? '';
    case 'name':
      return row.name;
  }
}

function rowComparator(sortBy: PartitionSortField, order: 'ASC' | 'DESC'): (a: PartitionRow, b: PartitionRow) => number {
  const sign = order === 'DESC' ? -1 : 1;
  const primary = (a: PartitionRow, b: PartitionRow): number => {
    switch (sortBy) {
      case 'createdDate':
        return a.created_at - b.created_at;
      case 'lastModifiedDate':
        return a.updated_at - b.updated_at;
      case 'uri':
        return compareCodePoints(a.uri ?? '', b.uri ?? '');
      case 'name':
        return 0;
    }
  };
  return (a, b) => sign * (primary(a, b) || compareCodePoints(a.name, b.name));
}

function toPartition(table: PartitionedTable, row: PartitionRow): PartitionInfo {
  const serde: StorageInfo = { ...readJson<StorageInfo>(row.serde, {}) };
  if (row.uri !== null) serde.uri = row.uri;
  return {
    name: table.name.withPartition(row.name),
    serde,
    metadata: readJson(row.params, {}),
    audit: { createdBy: row.created_by, createdDate: row.created_at, lastModifiedBy: row.updated_by, lastModifiedDate: row.updated_at },
  };
}

function storageWithoutUri(serde: StorageInfo | undefined): StorageInfo | undefined {
  if (!serde) return undefined;
  const { uri: _uri, ...rest } = serde;
  return rest;
}

/** Locations compare without trailing slashes, as Metacat stores them. */
export function normalizeUri(uri: string | undefined): string | undefined {
  if (uri === undefined || uri.trim() === '') return undefined;
  const trimmed = uri.trim().replace(/\/+$/, '');
  return trimmed === '' ? undefined : trimmed;
}
