import fastJsonPatch from 'fast-json-patch';
import type { CatalogConfig, CatalogSettings } from '../config/config.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import { UnsupportedError } from '../errors/unsupported-error.ts';
import type { AccessPolicy } from './access-policy.ts';
import type { CatalogMutations } from './catalog-mutation.ts';
import type { CatalogRegistry, RegisteredCatalog } from './catalog-registry.ts';
import type { ConnectorCapabilities } from './connector.ts';
import { databaseOut, tableOut, type DatabaseOut, type TableOut } from './catalog-documents.ts';
import type { DatabaseRequest, TableRequest } from './catalog-requests.ts';
import type { JsonObject } from './metadata/json-merge.ts';
import { QualifiedName, type QualifiedNameJson } from './qualified-name.ts';
import type { RequestContext } from './request-context.ts';
import { compileTableFilter } from './table-name-filter.ts';
import type { UserMetadata } from './user-metadata.ts';

export interface CatalogMappingOut {
  catalogName: string;
  connectorName: string;
  clusterDto: NonNullable<CatalogConfig['cluster']>;
}

export interface CatalogOut {
  name: QualifiedNameJson;
  type: string;
  databases?: string[];
  definitionMetadata?: JsonObject;
  cluster: NonNullable<CatalogConfig['cluster']>;
  metadata: Record<string, string>;
}

export interface TableReadFlags {
  includeInfo: boolean;
  includeDefinitionMetadata: boolean;
  includeDataMetadata: boolean;
  includeInfoDetails: boolean;
  includeMetadataLocationOnly: boolean;
}

const SEARCH_LIMIT = 100;

/**
 * Catalogs, databases and tables across every configured catalog: routes each call to the catalog's
 * connector, merges user metadata, enforces ACLs and blocking tags, and records an event for every
 * change (see CatalogMutations for the transaction that ties them together).
 */
export class CatalogService {
  constructor(
    private readonly registry: CatalogRegistry,
    private readonly mutations: CatalogMutations,
    private readonly policy: AccessPolicy,
    private readonly metadata: UserMetadata,
    private readonly settings: CatalogSettings,
  ) {}

  listCatalogs(): CatalogMappingOut[] {
    return this.registry.list().map((catalog) => ({
      catalogName: catalog.name,
      connectorName: catalog.connector.type,
      clusterDto: catalog.config.cluster ?? {},
    }));
  }

  async getCatalog(name: string, options: { includeDatabaseNames: boolean; includeUserMetadata: boolean }): Promise<CatalogOut> {
    const catalog = this.registry.get(name);
    const qn = QualifiedName.ofCatalog(catalog.name);
    const out: CatalogOut = { name: qn.toJSON(), type: catalog.connector.type, cluster: catalog.config.cluster ?? {}, metadata: {} };
    if (options.includeDatabaseNames) out.databases = await catalog.connector.listDatabaseNames();
    if (options.includeUserMetadata) out.definitionMetadata = (await this.metadata.definitions.get(qn)) ?? {};
    return out;
  }

  /** Only the catalog's definition metadata can change (merged); catalogs themselves come from configuration. */
  async updateCatalog(context: RequestContext, name: string, definitionMetadata: JsonObject | null | undefined): Promise<void> {
    const catalog = this.registry.get(name);
    const qn = QualifiedName.ofCatalog(catalog.name);
    await this.mutations.run(context, async (write, events) => {
      const merged = await this.metadata.mergeDefinition(write.transaction, qn, definitionMetadata, write.user, write.now);
      events.emit('CATALOG_UPDATE', qn, { definitionMetadata: merged ?? {} });
    });
  }

  async createDatabase(context: RequestContext, name: QualifiedName, dto: DatabaseRequest): Promise<void> {
    const catalog = this.registry.get(name.catalogName);
    this.policy.checkCreate(catalog, name, context.user);
    const connector = requireCapability(catalog, 'createDatabase', 'create databases');
    await this.mutations.run(context, async (write, events) => {
      await connector.createDatabase!(write, { name, uri: dto.uri ?? undefined, metadata: dto.metadata ?? {}, audit: {} });
      const definitionMetadata = await this.metadata.mergeDefinition(write.transaction, name, dto.definitionMetadata, write.user, write.now);
      events.emit('DATABASE_CREATE', name, { database: { name: name.toJSON(), metadata: dto.metadata ?? {}, uri: dto.uri ?? undefined, definitionMetadata } });
    });
  }

  async getDatabase(name: QualifiedName, options: { includeUserMetadata: boolean; includeTableNames: boolean }): Promise<DatabaseOut> {
    const catalog = this.registry.get(name.catalogName);
    const database = await catalog.connector.getDatabase(name);
    if (!database) throw new NotFoundError(`Database ${name.toString()} does not exist`);
    const tables = options.includeTableNames ? await catalog.connector.listTableNames(name) : undefined;
    const definitionMetadata = options.includeUserMetadata ? ((await this.metadata.definitions.get(name)) ?? {}) : undefined;
    return databaseOut(database, catalog.connector.type, tables, definitionMetadata);
  }

  async updateDatabase(context: RequestContext, name: QualifiedName, dto: DatabaseRequest): Promise<void> {
    const catalog = this.registry.get(name.catalogName);
    const changesSchema = (dto.metadata && Object.keys(dto.metadata).length > 0) || Boolean(dto.uri);
    if (changesSchema) requireCapability(catalog, 'updateDatabase', 'update databases');
    if (!(await catalog.connector.getDatabase(name))) throw new NotFoundError(`Database ${name.toString()} does not exist`);
    const tags = await this.metadata.tags.tagsOf(name);
    this.policy.checkTags(name, tags, 'update');
    await this.mutations.run(context, async (write, events) => {
      if (changesSchema) await catalog.connector.updateDatabase!(write, { name, uri: dto.uri ?? undefined, metadata: dto.metadata ?? {}, audit: {} });
      const definitionMetadata = await this.metadata.mergeDefinition(write.transaction, name, dto.definitionMetadata, write.user, write.now);
      events.emit('DATABASE_UPDATE', name, { database: { name: name.toJSON(), metadata: dto.metadata ?? {}, uri: dto.uri ?? undefined, definitionMetadata } });
    });
  }

  async deleteDatabase(context: RequestContext, name: QualifiedName): Promise<void> {
    const catalog = this.registry.get(name.catalogName);
    this.policy.checkDelete(catalog, name, context.user);
    const connector = requireCapability(catalog, 'deleteDatabase', 'delete databases');
    this.policy.checkTags(name, await this.metadata.tags.tagsOf(name), 'delete');
    await this.mutations.run(context, async (write, events) => {
      await connector.deleteDatabase!(write, name);
      await this.forgetDeleted(write.transaction, name, write.user, write.now);
      events.emit('DATABASE_DELETE', name, { database: { name: name.toJSON() } });
    });
  }

  async createTable(context: RequestContext, name: QualifiedName, request: TableRequest): Promise<TableOut> {
    if (!request.givenName) throw new InvalidInputError(`Field 'name' is required and must be ${name.toString()}`, 'name');
    const given = QualifiedName.fromJson(request.givenName);
    if (!given.equals(name)) {
      throw new InvalidInputError(`Field 'name' (${given.toString()}) does not match the table in the path (${name.toString()})`, 'name');
    }
    const catalog = this.registry.get(name.catalogName);
    this.policy.checkCreate(catalog, name, context.user);
    const connector = requireCapability(catalog, 'createTable', 'create tables');
    return this.mutations.run(context, async (write, events) => {
      const created = await connector.createTable!(write, request.table);
      const definitionMetadata = await this.metadata.mergeDefinition(write.transaction, name, request.definitionMetadata, write.user, write.now);
      const dataMetadata = await this.metadata.mergeData(write.transaction, created.serde?.uri, request.dataMetadata, write.user, write.now);
      const out = tableOut(created, { includeInfo: true, definitionMetadata: definitionMetadata ?? {}, dataMetadata: dataMetadata ?? {} });
      events.emit('TABLE_CREATE', name, { table: out });
      return out;
    });
  }

  async getTable(name: QualifiedName, flags: TableReadFlags): Promise<TableOut> {
    const catalog = this.registry.get(name.catalogName);
    const table = await catalog.connector.getTable(name, {
      includeDetails: flags.includeInfoDetails,
      metadataLocationOnly: flags.includeMetadataLocationOnly,
    });
    if (!table) throw new NotFoundError(`Table ${name.toString()} does not exist`);
    if (flags.includeMetadataLocationOnly) table.fields = [];
    const definitionMetadata = flags.includeDefinitionMetadata ? ((await this.metadata.definitions.get(name)) ?? {}) : undefined;
    const dataMetadata = flags.includeDataMetadata && table.serde?.uri ? ((await this.metadata.data.get(table.serde.uri)) ?? {}) : undefined;
    return tableOut(table, { includeInfo: flags.includeInfo, definitionMetadata, dataMetadata });
  }

  async tableExists(name: QualifiedName): Promise<boolean> {
    const catalog = this.registry.get(name.catalogName);
    return (await catalog.connector.getTable(name, { metadataLocationOnly: true })) !== undefined;
  }

  async updateTable(context: RequestContext, name: QualifiedName, request: TableRequest): Promise<TableOut> {
    if (request.givenName && !QualifiedName.fromJson(request.givenName).equals(name)) {
      throw new InvalidInputError(`Field 'name' (${QualifiedName.fromJson(request.givenName).toString()}) does not match the table in the path (${name.toString()})`, 'name');
    }
    const catalog = this.registry.get(name.catalogName);
    const current = await catalog.connector.getTable(name);
    if (!current) throw new NotFoundError(`Table ${name.toString()} does not exist`);
    this.policy.checkTags(name, await this.metadata.tags.tagsOf(name), 'update');
    const changesSchema = request.changesTable;
    const connector = changesSchema ? requireCapability(catalog, 'updateTable', 'update tables') : catalog.connector;
    return this.mutations.run(context, async (write, events) => {
      const trx = write.transaction;
      const previousDefinition = await this.metadata.definitions.get(name, trx);
      const previousData = current.serde?.uri ? await this.metadata.data.get(current.serde.uri, trx) : undefined;
      const updated = changesSchema ? await connector.updateTable!(write, request.table) : current;
      const definitionMetadata = await this.metadata.mergeDefinition(trx, name, request.definitionMetadata, write.user, write.now);
      const dataMetadata = await this.metadata.mergeData(trx, updated.serde?.uri, request.dataMetadata, write.user, write.now);
      const previous = tableOut(current, { includeInfo: true, definitionMetadata: previousDefinition ?? {}, dataMetadata: previousData ?? {} });
      const out = tableOut(updated, { includeInfo: true, definitionMetadata: definitionMetadata ?? {}, dataMetadata: dataMetadata ?? {} });
      events.emit('TABLE_UPDATE', name, { previous, patch: fastJsonPatch.compare(previous, out) });
      return out;
    });
  }

  /** Deletes a table; a missing table is not an error (Metacat answers 200 with just the name). */
  async deleteTable(context: RequestContext, name: QualifiedName): Promise<TableOut> {
    const catalog = this.registry.get(name.catalogName);
    this.policy.checkDelete(catalog, name, context.user);
    this.policy.checkTags(name, await this.metadata.tags.tagsOf(name), 'delete');
    const connector = requireCapability(catalog, 'deleteTable', 'delete tables');
    return this.mutations.run(context, async (write, events) => {
      const trx = write.transaction;
      const deleted = await connector.deleteTable!(write, name);
      if (!deleted) return { name: name.toJSON() };
      const definitionMetadata = (await this.metadata.definitions.get(name, trx)) ?? {};
      const dataMetadata = deleted.serde?.uri ? ((await this.metadata.data.get(deleted.serde.uri, trx)) ?? {}) : {};
      const out = tableOut(deleted, { includeInfo: true, definitionMetadata, dataMetadata });
      if (deleted.serde?.uri) await this.metadata.data.markDeleted(trx, deleted.serde.uri, write.now);
      await this.forgetDeleted(trx, name, write.user, write.now);
      events.emit('TABLE_DELETE', name, { table: out });
      return out;
    });
  }

  async renameTable(context: RequestContext, name: QualifiedName, newTableName: string): Promise<void> {
    const catalog = this.registry.get(name.catalogName);
    const target = name.withTable(newTableName);
    this.policy.checkDelete(catalog, name, context.user, 'rename');
    this.policy.checkTags(name, await this.metadata.tags.tagsOf(name), 'rename');
    const connector = requireCapability(catalog, 'renameTable', 'rename tables');
    await this.mutations.run(context, async (write, events) => {
      await connector.renameTable!(write, name, target);
      await this.metadata.definitions.rename(write.transaction, name, target, write.user, write.now);
      await this.metadata.tags.rename(write.transaction, name, target);
      events.emit('TABLE_RENAME', name, { previous: name.toJSON(), current: target.toJSON() });
    });
  }

  /**
   * Names of tables in a catalog (or one database) matching a Hive metastore table filter, at most
   * `limit` (-1: all). Tables are read one by one, so this walks the catalog.
   */
  async listTableNames(scope: QualifiedName, filter: string, limit: number): Promise<QualifiedNameJson[]> {
    const catalog = this.registry.get(scope.catalogName);
    const matches = compileTableFilter(filter);
    const databases = scope.databaseName !== undefined ? [scope.databaseName] : await catalog.connector.listDatabaseNames();
    const out: QualifiedNameJson[] = [];
    for (const database of databases) {
      const dbName = QualifiedName.ofDatabase(catalog.name, database);
      const tables = await catalog.connector.listTableNames(dbName);
      if (tables === undefined && scope.databaseName !== undefined) throw new NotFoundError(`Database ${dbName.toString()} does not exist`);
      for (const table of tables ?? []) {
        const info = await catalog.connector.getTable(dbName.withTable(table));
        if (info && matches(info)) out.push(info.name.toJSON());
        if (limit >= 0 && out.length >= limit) return out;
      }
    }
    return out;
  }

  /**
   * Tables whose name contains `term`, or whose owner or a tag equals it, across catalogs, at most
   * 100. A catalog that cannot be reached is skipped rather than failing the search.
   */
  async searchTables(term: string): Promise<TableOut[]> {
    const found = new Map<string, QualifiedName>();
    const add = (name: QualifiedName) => {
      if (name.type === 'TABLE' && this.registry.find(name.catalogName) && found.size < SEARCH_LIMIT) found.set(name.toString(), name);
    };
    (await this.metadata.definitions.searchByOwners([term])).forEach(add);
    (await this.metadata.tags.list({ include: [term], type: 'TABLE' })).forEach(add);
    for (const catalog of this.registry.list()) {
      if (found.size >= SEARCH_LIMIT) break;
      const names = await catalog.connector.findTables(term, SEARCH_LIMIT).catch(() => []);
      names.forEach(add);
    }
    const out: TableOut[] = [];
    for (const name of found.values()) {
      const table = await this.registry.get(name.catalogName).connector.getTable(name).catch(() => undefined);
      if (!table) continue;
      const definitionMetadata = (await this.metadata.definitions.get(name)) ?? {};
      out.push(tableOut(table, { includeInfo: true, definitionMetadata }));
    }
    return out;
  }

  /**
   * After an entity is dropped: its tags go, and its definition metadata stays (without the tag
   * mirror) unless configuration names it for deletion.
   */
  private async forgetDeleted(trx: Parameters<UserMetadata['mirrorTags']>[0], name: QualifiedName, user: string, now: number): Promise<void> {
    const prefixes = this.settings.deleteDefinitionMetadataFor ?? [];
    if (prefixes.some((prefix) => name.toString().startsWith(prefix))) {
      await this.metadata.definitions.delete(trx, name, true);
      await this.metadata.tags.remove(trx, name, 'all');
      return;
    }
    const hadTags = (await this.metadata.tags.tagsOf(name, trx)).length > 0;
    if (hadTags) {
      await this.metadata.tags.remove(trx, name, 'all');
      await this.metadata.mirrorTags(trx, name, [], user, now);
    }
  }
}

/** The catalog's connector if it can do `capability`; otherwise a 501 naming the catalog and its type. */
export function requireCapability(catalog: RegisteredCatalog, capability: keyof ConnectorCapabilities, what: string) {
  if (!catalog.connector.capabilities[capability]) {
    throw new UnsupportedError(`Catalog ${catalog.name} (${catalog.connector.type}) does not support ${what}`);
  }
  return catalog.connector;
}
