import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Tables } from '../db/tables.ts';
import { ConflictError } from '../errors/conflict-error.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import { LostRaceError, NoSuchNamespaceError, NoSuchTableError, TableExistsError } from '../table/table-errors.ts';
import type { TableMetadata } from '../table/table-metadata.ts';
import { formatIdentifier, type PointerUpdate, type TableIdentifier, type TablePointer, type TablePointerStore, type SwapContents } from '../table/table-pointer-store.ts';
import type { PointerChange, PointerChangeRecorder } from './pointer-change.ts';

/**
 * Table pointers in the metadata database (`iceberg_tables`, PyIceberg's SqlCatalog layout; see
 * migration 0301). The swap is one UPDATE … WHERE metadata_location = expected, checked through the
 * affected row count, so it is atomic on SQLite and PostgreSQL alike and against PyIceberg's own
 * commits to the same rows. Namespaces are dot-joined strings, as PyIceberg stores them.
 *
 * With a recorder, every change and its record (the catalog's events) commit in one transaction; on
 * a store built over an open transaction they join it. This class is the one home of that sequence
 * (prepare before the transaction, record inside it, publish after the commit), for single changes
 * and multi-table commits alike.
 */
export class DbTablePointerStore implements TablePointerStore {
  constructor(
    private readonly database: Database,
    readonly catalogName: string,
    private readonly recorder?: PointerChangeRecorder,
  ) {}

  private get db() {
    return this.database.db;
  }

  /** The same pointers with every change recorded by `recorder` in the change's transaction. */
  recordingWith(recorder: PointerChangeRecorder): DbTablePointerStore {
    return new DbTablePointerStore(this.database, this.catalogName, recorder);
  }

  /**
   * The same pointers inside a caller's open transaction, recording nothing: the caller commits the
   * change together with its own writes (and records them its own way).
   */
  joining(transaction: Kysely<Tables>): DbTablePointerStore {
    return new DbTablePointerStore({ ...this.database, db: transaction }, this.catalogName);
  }

  private key(id: TableIdentifier) {
    return { catalog_name: this.catalogName, table_namespace: namespaceString(id.namespace), table_name: checkName(id.name, 'table name') };
  }

  async create(id: TableIdentifier, metadataLocation: string, metadata?: TableMetadata): Promise<void> {
    await this.change(
      (store) => store.createRow(id, metadataLocation),
      () => [{ kind: 'table-created', table: id, metadataLocation, metadata }],
    );
  }

  async swap(id: TableIdentifier, expected: string, next: string, contents?: SwapContents): Promise<boolean> {
    const updated: PointerChange[] = [
      { kind: 'table-updated', table: id, previousMetadataLocation: expected, metadataLocation: next, metadata: contents?.next, previousMetadata: contents?.expected },
    ];
    return this.change(
      (store) => store.swapRow(id, expected, next),
      (swapped) => (swapped ? updated : []),
      updated,
    );
  }

  async swapAll(updates: readonly PointerUpdate[]): Promise<void> {
    // Every change is known before the transaction opens (all apply or none), so all are prepared for.
    const changes: PointerChange[] = updates.map((u) =>
      u.expected === undefined
        ? { kind: 'table-created', table: u.id, metadataLocation: u.next, metadata: u.contents?.next }
        : { kind: 'table-updated', table: u.id, previousMetadataLocation: u.expected, metadataLocation: u.next, metadata: u.contents?.next, previousMetadata: u.contents?.expected },
    );
    await this.change(
      async (store) => {
        for (const u of updates) {
          if (u.expected === undefined) {
            if (!(await store.namespaceExists(u.id.namespace))) throw new NoSuchNamespaceError(u.id.namespace);
            await store.createRow(u.id, u.next);
          } else if (!(await store.swapRow(u.id, u.expected, u.next))) {
            throw new LostRaceError(`Table ${formatIdentifier(u.id)} changed since ${u.expected} was read; the commit was not applied`);
          }
        }
      },
      () => changes,
      changes,
      { atomic: true },
    );
  }

  async drop(id: TableIdentifier): Promise<boolean> {
    return this.change(
      (store) => store.dropRow(id),
      (dropped) => (dropped ? [{ kind: 'table-dropped', table: id }] : []),
    );
  }

  async rename(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    await this.change(
      (store) => store.renameRow(from, to),
      () => [{ kind: 'table-renamed', from, to }],
    );
  }

  async createNamespace(namespace: readonly string[], properties: Record<string, string> = {}): Promise<void> {
    await this.change(
      (store) => store.createNamespaceRow(namespace, properties),
      () => [{ kind: 'namespace-created', namespace, properties }],
    );
  }

  async updateNamespaceProperties(namespace: readonly string[], updates: Record<string, string>, removals: readonly string[]): Promise<void> {
    await this.change(
      (store) => store.updateNamespacePropertiesRow(namespace, updates, removals),
      () => [{ kind: 'namespace-updated', namespace, updates, removals }],
    );
  }

  async dropNamespace(namespace: readonly string[]): Promise<void> {
    await this.change(
      (store) => store.dropNamespaceRow(namespace),
      () => [{ kind: 'namespace-dropped', namespace }],
    );
  }

  /**
   * Runs a change on a recorder-less view of this store and, when there is a recorder, records what
   * changed in the same transaction; followers are woken only after the commit. `anticipated` are the
   * change objects `changes` returns on success, prepared for before the transaction opens. An
   * `atomic` change runs in a transaction even with nothing to record.
   */
  private async change<T>(
    work: (store: DbTablePointerStore) => Promise<T>,
    changes: (value: T) => readonly PointerChange[],
    anticipated?: readonly PointerChange[],
    options: { atomic?: boolean } = {},
  ): Promise<T> {
    const recorder = this.recorder;
    if (!recorder && !options.atomic) return work(this);
    // A preparation is a head start, never a condition: without one, record does the work itself.
    const preparation = recorder && anticipated && recorder.prepare ? await recorder.prepare(anticipated).catch(() => undefined) : undefined;
    let published = () => {};
    const value = await inTransaction(this.db, async (db) => {
      const result = await work(this.joining(db));
      const changed = recorder ? changes(result) : [];
      if (changed.length > 0) published = await recorder!.record(db, changed, preparation);
      return result;
    });
    published();
    return value;
  }

  async get(id: TableIdentifier): Promise<TablePointer | undefined> {
    const k = this.key(id);
    const row = await this.db
      .selectFrom('iceberg_tables')
      .select(['metadata_location', 'previous_metadata_location', 'version'])
      .where('catalog_name', '=', k.catalog_name)
      .where('table_namespace', '=', k.table_namespace)
      .where('table_name', '=', k.table_name)
      .where((eb) => eb.or([eb('iceberg_type', '=', 'TABLE'), eb('iceberg_type', 'is', null)]))
      .executeTakeFirst();
    if (!row || !row.metadata_location) return undefined;
    return { metadataLocation: row.metadata_location, previousMetadataLocation: row.previous_metadata_location, version: Number(row.version) };
  }

  private async createRow(id: TableIdentifier, metadataLocation: string): Promise<void> {
    try {
      await this.db
        .insertInto('iceberg_tables')
        .values({ ...this.key(id), metadata_location: metadataLocation, previous_metadata_location: null, iceberg_type: 'TABLE', version: 0 })
        .execute();
    } catch (error) {
      if (this.database.adapter.isUniqueViolation(error)) throw new TableExistsError(formatIdentifier(id));
      throw error;
    }
  }

  private async swapRow(id: TableIdentifier, expected: string, next: string): Promise<boolean> {
    const k = this.key(id);
    const result = await this.db
      .updateTable('iceberg_tables')
      .set((eb) => ({ metadata_location: next, previous_metadata_location: expected, version: eb('version', '+', 1) }))
      .where('catalog_name', '=', k.catalog_name)
      .where('table_namespace', '=', k.table_namespace)
      .where('table_name', '=', k.table_name)
      .where('metadata_location', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  private async dropRow(id: TableIdentifier): Promise<boolean> {
    const k = this.key(id);
    const result = await this.db
      .deleteFrom('iceberg_tables')
      .where('catalog_name', '=', k.catalog_name)
      .where('table_namespace', '=', k.table_namespace)
      .where('table_name', '=', k.table_name)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  private async renameRow(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    const f = this.key(from);
    const t = this.key(to);
    if (!(await this.namespaceExists(to.namespace))) throw new NotFoundError(`Namespace ${namespaceString(to.namespace)} does not exist`, { namespace: to.namespace });
    try {
      const result = await this.db
        .updateTable('iceberg_tables')
        .set({ table_namespace: t.table_namespace, table_name: t.table_name })
        .where('catalog_name', '=', f.catalog_name)
        .where('table_namespace', '=', f.table_namespace)
        .where('table_name', '=', f.table_name)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw new NoSuchTableError(formatIdentifier(from));
    } catch (error) {
      if (this.database.adapter.isUniqueViolation(error)) throw new TableExistsError(formatIdentifier(to));
      throw error;
    }
  }

  async listTables(namespace: readonly string[]): Promise<TableIdentifier[]> {
    const rows = await this.db
      .selectFrom('iceberg_tables')
      .select(['table_namespace', 'table_name'])
      .where('catalog_name', '=', this.catalogName)
      .where('table_namespace', '=', namespaceString(namespace))
      .where((eb) => eb.or([eb('iceberg_type', '=', 'TABLE'), eb('iceberg_type', 'is', null)]))
      .orderBy('table_name')
      .execute();
    return rows.map((r) => ({ namespace: r.table_namespace.split('.'), name: r.table_name }));
  }

  private async createNamespaceRow(namespace: readonly string[], properties: Record<string, string> = {}): Promise<void> {
    const ns = namespaceString(namespace);
    if (await this.namespaceExists(namespace)) throw new ConflictError(`Namespace ${ns} already exists`, { namespace: ns });
    const entries = Object.entries({ exists: 'true', ...properties });
    try {
      await this.db
        .insertInto('iceberg_namespace_properties')
        .values(entries.map(([property_key, property_value]) => ({ catalog_name: this.catalogName, namespace: ns, property_key, property_value })))
        .execute();
    } catch (error) {
      if (this.database.adapter.isUniqueViolation(error)) throw new ConflictError(`Namespace ${ns} already exists`, { namespace: ns });
      throw error;
    }
  }

  async namespaceExists(namespace: readonly string[]): Promise<boolean> {
    const ns = namespaceString(namespace);
    const prop = await this.db.selectFrom('iceberg_namespace_properties').select('namespace').where('catalog_name', '=', this.catalogName).where('namespace', '=', ns).executeTakeFirst();
    if (prop) return true;
    const table = await this.db.selectFrom('iceberg_tables').select('table_namespace').where('catalog_name', '=', this.catalogName).where('table_namespace', '=', ns).executeTakeFirst();
    return table !== undefined;
  }

  async listNamespaces(parent: readonly string[] = []): Promise<string[][]> {
    const names = new Set<string>();
    const props = await this.db.selectFrom('iceberg_namespace_properties').select('namespace').where('catalog_name', '=', this.catalogName).execute();
    const tables = await this.db.selectFrom('iceberg_tables').select('table_namespace as namespace').where('catalog_name', '=', this.catalogName).execute();
    for (const { namespace } of [...props, ...tables]) {
      const parts = namespace.split('.');
      if (parts.length <= parent.length || parent.some((p, i) => parts[i] !== p)) continue;
      names.add(parts.slice(0, parent.length + 1).join('.'));
    }
    return [...names].sort().map((n) => n.split('.'));
  }

  async namespaceProperties(namespace: readonly string[]): Promise<Record<string, string>> {
    const ns = namespaceString(namespace);
    if (!(await this.namespaceExists(namespace))) throw new NotFoundError(`Namespace ${ns} does not exist`, { namespace: ns });
    const rows = await this.db
      .selectFrom('iceberg_namespace_properties')
      .select(['property_key', 'property_value'])
      .where('catalog_name', '=', this.catalogName)
      .where('namespace', '=', ns)
      .execute();
    return Object.fromEntries(rows.map((r) => [r.property_key, r.property_value]));
  }

  private async updateNamespacePropertiesRow(namespace: readonly string[], updates: Record<string, string>, removals: readonly string[]): Promise<void> {
    const ns = namespaceString(namespace);
    if (!(await this.namespaceExists(namespace))) throw new NotFoundError(`Namespace ${ns} does not exist`, { namespace: ns });
    await inTransaction(this.db, async (trx) => {
      const keys = [...removals, ...Object.keys(updates)];
      if (keys.length > 0) {
        await trx.deleteFrom('iceberg_namespace_properties').where('catalog_name', '=', this.catalogName).where('namespace', '=', ns).where('property_key', 'in', keys).execute();
      }
      const rows = Object.entries(updates).map(([property_key, property_value]) => ({ catalog_name: this.catalogName, namespace: ns, property_key, property_value }));
      if (rows.length > 0) await trx.insertInto('iceberg_namespace_properties').values(rows).execute();
    });
  }

  private async dropNamespaceRow(namespace: readonly string[]): Promise<void> {
    const ns = namespaceString(namespace);
    if ((await this.listTables(namespace)).length > 0) throw new ConflictError(`Namespace ${ns} is not empty`, { namespace: ns });
    await this.db.deleteFrom('iceberg_namespace_properties').where('catalog_name', '=', this.catalogName).where('namespace', '=', ns).execute();
  }

  /**
   * Tables whose name contains `term` (case-insensitive, no wildcards), in any namespace, at most
   * `limit`, ordered by namespace and name: the catalog's search.
   */
  async findTables(term: string, limit: number): Promise<TableIdentifier[]> {
    const pattern = `%${term.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.db
      .selectFrom('iceberg_tables')
      .select(['table_namespace', 'table_name'])
      .where('catalog_name', '=', this.catalogName)
      .where(sql<boolean>`lower(table_name) like ${pattern} escape '\\'`)
      .where((eb) => eb.or([eb('iceberg_type', '=', 'TABLE'), eb('iceberg_type', 'is', null)]))
      .orderBy('table_namespace')
      .orderBy('table_name')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ namespace: r.table_namespace.split('.'), name: r.table_name }));
  }
}

/** Runs `work` in a transaction, or in the one `db` already is. */
function inTransaction<T>(db: Kysely<Tables>, work: (db: Kysely<Tables>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

function checkName(name: string, what: string): string {
  if (name.trim() === '' || name.includes('.') || name.length > 255) throw new InvalidInputError(`Invalid ${what} ${JSON.stringify(name)}: 1 to 255 characters, no dots`, what);
  return name;
}

export function namespaceString(namespace: readonly string[]): string {
  if (namespace.length === 0) throw new InvalidInputError('A table needs a namespace (e.g. analytics.events)', 'namespace');
  return namespace.map((n) => checkName(n, 'namespace level')).join('.');
}
