import type { S3Config } from '../config/config.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { ObjectNotFoundError } from '../storage/object-store-errors.ts';
import { retryCommit, type RetryPolicy } from '../table/commit-retry.ts';
import { LostRaceError, NoSuchTableError, TableExistsError } from '../table/table-errors.ts';
import type { TableState } from '../table/table-operations.ts';
import { formatIdentifier, type TableIdentifier } from '../table/table-pointer-store.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { commitAtomically, type PlannedCommit } from './atomic-commit.ts';
import { ContradictoryRequestError, NamespaceExistsError, NamespaceNotEmptyError, NoSuchNamespaceError, NoSuchWarehouseError } from './catalog-errors.ts';
import { checkIdentifier, checkNamespace, checkTableName, namespaceName } from '../warehouse/warehouse-names.ts';
import { newTableFromRequest, type CreateTableRequest } from './new-table-metadata.ts';
import { checkRequirements, type TableRequirement } from '../table/table-requirements.ts';
import { applyTableUpdates } from '../table/metadata-builder.ts';
import type { TableUpdate } from '../table/table-update.ts';

/** One table's part of a commit: what it must look like now, and what to change. */
export interface TableChange {
  readonly id: TableIdentifier;
  readonly requirements: readonly TableRequirement[];
  readonly updates: readonly TableUpdate[];
}

/** A table as the REST API returns it; `metadataLocation` is null for a staged (uncommitted) create. */
export interface TableResult {
  readonly metadataLocation: string | null;
  readonly metadata: TableState['metadata'];
}

export interface CatalogConfig {
  defaults: Record<string, string>;
  overrides: Record<string, string>;
}

/** A namespace property the pointer store keeps to mark that a namespace exists (SqlCatalog's layout); hidden from clients. */
const EXISTS_MARKER = 'exists';

// A lost pointer race is retried server-side only while the client's requirements still hold, so
// these retries never hide a real conflict; the client sees 409 once they run out.
const LOST_RACE_RETRIES: RetryPolicy = { retries: 20, minWaitMs: 5, maxWaitMs: 500 };

/**
 * The Iceberg REST catalog over Quarry's warehouse: namespaces and tables are the warehouse's own
 * (the same pointer rows PyIceberg's SqlCatalog and `quarry table` use), and commits are applied
 * server-side: requirements are checked against the current metadata, updates build the next
 * metadata, and `commitAtomically` swaps the pointers. Every change goes through the warehouse's
 * pointer store, so a warehouse that records its changes (`Warehouse.recording`) records the
 * catalog's too, multi-table commits included. Transport-free; src/catalog/routes maps it to HTTP.
 */
export class IcebergRestCatalog {
  private readonly s3: S3Config | undefined;

  constructor(
    readonly warehouse: Warehouse,
    options: {
      /** The object-store settings clients need to read and write the warehouse's files (no secrets are served). */
      s3?: S3Config;
    } = {},
  ) {
    this.s3 = options.s3;
  }

  get catalogName(): string {
    return this.warehouse.pointers.catalogName;
  }

  private get pointers() {
    return this.warehouse.pointers;
  }

  /**
   * Client configuration (GET /config). `warehouse`, when a client names one, must be this catalog's
   * name or its warehouse root. Defaults carry the object-store endpoint and addressing so clients
   * can read and write data files; credentials stay with the client.
   */
  config(warehouse?: string): CatalogConfig {
    const root = this.warehouse.root;
    if (warehouse !== undefined && warehouse !== '' && ![this.catalogName, root, `${root}/`].includes(warehouse)) {
      throw new NoSuchWarehouseError(warehouse, [this.catalogName, root]);
    }
    const defaults: Record<string, string> = {};
    if (root.startsWith('s3://') && this.s3) {
      if (this.s3.endpoint) defaults['s3.endpoint'] = this.s3.endpoint;
      defaults['s3.region'] = this.s3.region;
      defaults['client.region'] = this.s3.region;
      defaults['s3.path-style-access'] = String(this.s3.forcePathStyle);
      defaults['s3.force-virtual-addressing'] = String(!this.s3.forcePathStyle);
    }
    return { defaults, overrides: { warehouse: root } };
  }

  // ---- namespaces

  /** Whether a namespace exists, explicitly or as the parent of one that does (`a` of `a.b`). */
  async namespaceExists(namespace: readonly string[]): Promise<boolean> {
    const ns = checkNamespace(namespace);
    return (await this.pointers.namespaceExists(ns)) || (await this.pointers.listNamespaces(ns)).length > 0;
  }

  private async requireNamespace(namespace: readonly string[]): Promise<string[]> {
    const ns = checkNamespace(namespace);
    if (!(await this.namespaceExists(ns))) throw new NoSuchNamespaceError(ns);
    return ns;
  }

  /** Namespaces directly below `parent` (the top level when it is empty), sorted. */
  async listNamespaces(parent: readonly string[] = []): Promise<string[][]> {
    if (parent.length > 0) await this.requireNamespace(parent);
    return this.pointers.listNamespaces(parent);
  }

  async createNamespace(namespace: readonly string[], properties: Record<string, string> = {}): Promise<Record<string, string>> {
    const ns = checkNamespace(namespace);
    if (EXISTS_MARKER in properties) throw new InvalidInputError(`Namespace property '${EXISTS_MARKER}' is reserved by the catalog`, `properties.${EXISTS_MARKER}`);
    if (properties.location !== undefined) await this.warehouse.allowed.check(properties.location, 'properties.location');
    if (await this.pointers.namespaceExists(ns)) throw new NamespaceExistsError(ns);
    try {
      await this.pointers.createNamespace(ns, properties);
    } catch (error) {
      // The pointer store reports a duplicate with a generic conflict; name it for the protocol.
      if ((error as { kind?: string }).kind === 'conflict') throw new NamespaceExistsError(ns);
      throw error;
    }
    return { ...properties };
  }

  /**
   * A namespace's properties, always with a `location`: the one set on it, else the folder its
   * tables go in by default. Iceberg Java's JdbcCatalog and HiveCatalog answer the same way, and
   * clients depend on it: Trino's REST connector derives a new table's location from it and only then
   * stages the create; without one it commits the table first (writing its metadata file) and its
   * CREATE TABLE AS then refuses the now non-empty location.
   */
  async loadNamespace(namespace: readonly string[]): Promise<Record<string, string>> {
    const ns = await this.requireNamespace(namespace);
    const stored = (await this.pointers.namespaceExists(ns)) ? visible(await this.pointers.namespaceProperties(ns)) : {};
    return { location: this.warehouse.namespaceLocation(ns), ...stored };
  }

  /** Drops an empty namespace: one holding tables or child namespaces is a NamespaceNotEmptyError. */
  async dropNamespace(namespace: readonly string[]): Promise<void> {
    const ns = await this.requireNamespace(namespace);
    const tables = await this.pointers.listTables(ns);
    if (tables.length > 0) throw new NamespaceNotEmptyError(ns, `${tables.length} table(s), e.g. ${tables[0].name}`);
    const children = await this.pointers.listNamespaces(ns);
    if (children.length > 0) throw new NamespaceNotEmptyError(ns, `namespace ${namespaceName(children[0])}`);
    await this.pointers.dropNamespace(ns);
  }

  /**
   * Sets and removes namespace properties. A key both set and removed is a ContradictoryRequestError;
   * removing a key that is not there is reported in `missing`, not an error.
   */
  async updateNamespaceProperties(namespace: readonly string[], removals: readonly string[], updates: Record<string, string>): Promise<{ updated: string[]; removed: string[]; missing: string[] }> {
    const ns = await this.requireNamespace(namespace);
    const both = removals.filter((key) => key in updates);
    if (both.length > 0) throw new ContradictoryRequestError(`Properties ${both.join(', ')} are both updated and removed; name each key once`, 'removals');
    if (EXISTS_MARKER in updates) throw new InvalidInputError(`Namespace property '${EXISTS_MARKER}' is reserved by the catalog`, `updates.${EXISTS_MARKER}`);
    if (updates.location !== undefined) await this.warehouse.allowed.check(updates.location, 'updates.location');
    if (!(await this.pointers.namespaceExists(ns))) await this.pointers.createNamespace(ns);
    const current = visible(await this.pointers.namespaceProperties(ns));
    const removed = removals.filter((key) => key in current);
    const missing = removals.filter((key) => !(key in current));
    await this.pointers.updateNamespaceProperties(ns, updates, removed);
    const updated = Object.keys(updates);
    return { updated, removed, missing };
  }

  // ---- tables

  async listTables(namespace: readonly string[]): Promise<TableIdentifier[]> {
    const ns = await this.requireNamespace(namespace);
    return this.pointers.listTables(ns);
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    return (await this.pointers.get(checkIdentifier(id))) !== undefined;
  }

  async loadTable(id: TableIdentifier): Promise<TableState> {
    const checked = checkIdentifier(id);
    const state = await this.currentState(checked);
    if (!state) throw new NoSuchTableError(formatIdentifier(checked));
    return state;
  }

  /**
   * Creates a table from a create request, or with `stage-create` only prepares its first metadata
   * and returns it uncommitted (the client commits it later with `assert-create`).
   */
  async createTable(namespace: readonly string[], request: CreateTableRequest): Promise<TableResult> {
    const ns = await this.requireNamespace(namespace);
    const id = { namespace: ns, name: checkTableName(request.name, 'name') };
    if (await this.pointers.get(id)) throw new TableExistsError(formatIdentifier(id));
    const metadata = newTableFromRequest(request, request.location?.replace(/\/+$/, '') || (await this.defaultLocation(id)));
    // Staged too: the client writes its files at this location before it commits.
    await this.warehouse.allowed.checkTable(metadata);
    if (request['stage-create']) return { metadataLocation: null, metadata };
    const [state] = await commitAtomically(this.pointers, this.warehouse.io, [{ id, base: undefined, next: metadata }]);
    this.remember(state);
    return state;
  }

  /** Commits one table's requirements and updates (also the commit of a staged create). */
  async commitTable(change: TableChange): Promise<TableState> {
    const [state] = await this.commitChecked([{ ...change, id: checkIdentifier(change.id) }]);
    return state;
  }

  /**
   * Commits changes to several tables atomically: every table changes, or none does. Requirements
   * are checked against each table's current metadata; a lost pointer race re-reads the tables,
   * re-checks the requirements and retries, so a change that still applies goes through and one
   * that does not fails with CommitFailedError.
   */
  async commitTables(changes: readonly TableChange[]): Promise<TableState[]> {
    return this.commitChecked(changes.map((c, i) => ({ ...c, id: checkIdentifier(c.id, `table-changes[${i}].identifier`) })));
  }

  private async commitChecked(checked: readonly TableChange[]): Promise<TableState[]> {
    const names = new Set<string>();
    for (const c of checked) {
      const name = formatIdentifier(c.id);
      if (names.has(name)) throw new InvalidInputError(`Table ${name} appears twice in one transaction; merge its changes into one`, 'table-changes');
      names.add(name);
    }
    return retryCommit(
      LOST_RACE_RETRIES,
      async () => {
        const planned = await Promise.all(checked.map((c) => this.plan(c)));
        const toCommit = planned.filter((p): p is PlannedCommit => 'next' in p);
        if (toCommit.length === 0) return planned as TableState[];
        const states = await commitAtomically(this.pointers, this.warehouse.io, toCommit);
        states.forEach((s) => this.remember(s));
        let next = 0;
        return planned.map((p) => ('next' in p ? states[next++] : p));
      },
      (error) => error instanceof LostRaceError,
    );
  }

  /** The next metadata for one change, or the current state when the change has no updates. */
  private async plan(change: TableChange & { id: TableIdentifier }): Promise<PlannedCommit | TableState> {
    const name = formatIdentifier(change.id);
    const base = await this.currentState(change.id);
    const creating = change.requirements.some((r) => r.type === 'assert-create');
    if (!base && !creating) throw new NoSuchTableError(name);
    checkRequirements(name, change.requirements, base?.metadata);
    if (base && change.updates.length === 0) return base;
    if (!base && !(await this.namespaceExists(change.id.namespace))) throw new NoSuchNamespaceError(change.id.namespace);
    const next = applyTableUpdates(base?.metadata, change.updates, { defaultLocation: base ? undefined : await this.defaultLocation(change.id) });
    // The result, not the updates: set-location, set-properties (write.data.path …) and a staged create all end here.
    await this.warehouse.allowed.checkTable(next);
    return { id: change.id, base, next };
  }

  /** Drops a table; with `purge`, every file under its location goes too. */
  async dropTable(id: TableIdentifier, purge: boolean): Promise<void> {
    const checked = checkIdentifier(id);
    await this.warehouse.dropTable(checked, { purge });
  }

  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    const source = checkIdentifier(from, 'source');
    const destination = checkIdentifier(to, 'destination');
    if (!(await this.pointers.get(source))) throw new NoSuchTableError(formatIdentifier(source));
    if (!(await this.namespaceExists(destination.namespace))) throw new NoSuchNamespaceError(destination.namespace);
    if (await this.pointers.get(destination)) throw new TableExistsError(formatIdentifier(destination));
    // The pointer store checks the destination namespace by its own rows; an implicit parent
    // namespace (known only through its children) gets its marker row first.
    if (!(await this.pointers.namespaceExists(destination.namespace))) await this.pointers.createNamespace(destination.namespace).catch(() => undefined);
    await this.pointers.rename(source, destination);
  }

  /**
   * Adopts an existing metadata file as a table. With `overwrite`, an existing table's pointer is
   * moved to the file instead (a compare-and-swap against what it pointed at).
   */
  async registerTable(namespace: readonly string[], name: string, metadataLocation: string, overwrite = false): Promise<TableState> {
    const ns = await this.requireNamespace(namespace);
    const id = { namespace: ns, name: checkTableName(name, 'name') };
    await this.warehouse.allowed.check(metadataLocation, 'metadata-location');
    let state: TableState;
    try {
      state = await this.readState(metadataLocation);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new InvalidInputError(`metadata-location ${metadataLocation} does not exist`, 'metadata-location');
      throw error;
    }
    await this.warehouse.allowed.checkTable(state.metadata, 'location recorded in metadata-location');
    const current = await this.pointers.get(id);
    if (current && !overwrite) throw new TableExistsError(formatIdentifier(id));
    if (current) {
      // Read before the swap (usually from the cache) so the recorder need not read it inside the transaction.
      const replaced = await this.readState(current.metadataLocation).catch(() => undefined);
      const contents = replaced && { expected: replaced.metadata, next: state.metadata };
      if (!(await this.pointers.swap(id, current.metadataLocation, metadataLocation, contents))) throw new LostRaceError(`Table ${formatIdentifier(id)} changed while it was being re-registered; retry`);
    } else {
      await this.pointers.create(id, metadataLocation, state.metadata);
    }
    return state;
  }

  // ---- internals

  private async defaultLocation(id: TableIdentifier): Promise<string> {
    // A namespace's `location` property places its tables, as in Iceberg's and PyIceberg's catalogs.
    if (await this.pointers.namespaceExists(id.namespace)) {
      const location = (await this.pointers.namespaceProperties(id.namespace)).location;
      if (location) return `${location.replace(/\/+$/, '')}/${id.name}`;
    }
    return this.warehouse.defaultLocation(id);
  }

  private async currentState(id: TableIdentifier): Promise<TableState | undefined> {
    const pointer = await this.pointers.get(id);
    return pointer ? this.readState(pointer.metadataLocation) : undefined;
  }

  private readState(location: string): Promise<TableState> {
    return this.warehouse.metadataFiles.read(location);
  }

  private remember(state: TableState): void {
    this.warehouse.metadataFiles.remember(state);
  }
}

function visible(properties: Record<string, string>): Record<string, string> {
  const out = { ...properties };
  delete out[EXISTS_MARKER];
  return out;
}
