import type { CatalogSettings } from '../config/config.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { requireCapability } from './catalog-service.ts';
import type { CatalogMutations } from './catalog-mutation.ts';
import type { CatalogRegistry } from './catalog-registry.ts';
import type { PartitionInfo } from './catalog-model.ts';
import type { PartitionSortField } from './connector.ts';
import { EVENT_NAME_LIMIT } from './events/catalog-event.ts';
import { partitionOut, type PartitionOut } from './catalog-documents.ts';
import type { PartitionsSaveRequest } from './catalog-requests.ts';
import { parseFilter } from './filter/filter-parser.ts';
import type { JsonObject } from './metadata/json-merge.ts';
import { QualifiedName } from './qualified-name.ts';
import type { RequestContext } from './request-context.ts';
import type { UserMetadata } from './user-metadata.ts';

export interface PartitionQuery {
  filter?: string;
  names?: readonly string[];
  sortBy?: PartitionSortField;
  sortOrder?: 'ASC' | 'DESC';
  offset?: number;
  limit?: number;
  includeUserMetadata?: boolean;
}

export interface PartitionSaveOut {
  added: string[];
  updated: string[];
}

/** Partitions of any catalog's tables: list (with filters), count, save and delete. */
export class PartitionService {
  constructor(
    private readonly registry: CatalogRegistry,
    private readonly mutations: CatalogMutations,
    private readonly metadata: UserMetadata,
    private readonly settings: CatalogSettings,
  ) {}

  /**
   * Lists partitions. A malformed filter is a 400 naming the position; an unknown key a 400 naming
   * the table's keys. With `partitionListLimit` configured, a request that would return more
   * partitions than that is refused rather than truncated.
   */
  async list(table: QualifiedName, query: PartitionQuery): Promise<PartitionOut[]> {
    const catalog = this.registry.get(table.catalogName);
    const connector = requireCapability(catalog, 'listPartitions', 'partitions');
    const filter = query.filter?.trim() ? parseFilter(query.filter) : undefined;
    const threshold = this.settings.partitionListLimit;
    const limit = threshold !== undefined ? Math.min(query.limit ?? Number.MAX_SAFE_INTEGER, threshold + 1) : query.limit;
    const partitions = await connector.listPartitions!(table, {
      filter,
      names: query.names,
      sortBy: query.sortBy,
      sortOrder: query.sortOrder,
      offset: query.offset,
      limit,
    });
    if (threshold !== undefined && partitions.length > threshold) {
      throw new InvalidInputError(
        `The request for partitions of ${table.toString()} would return more than ${threshold} partitions (the configured partitionListLimit); narrow the filter or page with offset and limit`,
        'limit',
      );
    }
    if (!query.includeUserMetadata) return partitions.map((p) => partitionOut(p));
    const definitions = await this.metadata.definitions.getMany(partitions.map((p) => p.name));
    const out: PartitionOut[] = [];
    for (const partition of partitions) {
      const uri = partition.serde?.uri;
      const data = uri ? ((await this.metadata.data.get(uri)) ?? {}) : undefined;
      out.push(partitionOut(partition, definitions.get(partition.name.toString()) ?? {}, data));
    }
    return out;
  }

  /** The number of partitions; 0 for a table that does not exist in an existing catalog. */
  async count(table: QualifiedName): Promise<number> {
    const catalog = this.registry.get(table.catalogName);
    const connector = requireCapability(catalog, 'listPartitions', 'partitions');
    return connector.countPartitions!(table);
  }

  /**
   * Saves partitions (reference/metacat.md §2 "Save semantics"), dropping `partitionIdsForDeletes` in
   * the same change. The request's `definitionMetadata`/`dataMetadata` belong to the table; each
   * partition's own go to the partition. `saveMetadataOnly` touches user metadata alone. An empty
   * request answers {added: [], updated: []} without looking for the table.
   */
  async save(context: RequestContext, table: QualifiedName, dto: PartitionsSaveRequest): Promise<PartitionSaveOut> {
    const catalog = this.registry.get(table.catalogName);
    const dtos = dto.partitions;
    const deletes = dto.deletes;
    if (dtos.length === 0 && deletes.length === 0) return { added: [], updated: [] };
    const saveLimit = this.settings.partitionSaveLimit;
    if (saveLimit !== undefined && dtos.length > saveLimit) {
      throw new InvalidInputError(`The request saves ${dtos.length} partitions; at most ${saveLimit} are accepted at once (partitionSaveLimit)`, 'partitions');
    }
    const partitions = dtos.map((p, i) => {
      const name = QualifiedName.fromJson(p.name, `partitions[${i}].name`);
      if (name.partitionName === undefined || !name.table.equals(table)) {
        throw new InvalidInputError(`Field 'partitions[${i}].name' (${name.toString()}) is not a partition of ${table.toString()}`, `partitions[${i}].name`);
      }
      const info: PartitionInfo = { name, ...(p.serde ? { serde: p.serde } : {}), metadata: p.metadata, audit: {} };
      return { info, dto: p };
    });

    if (dto.saveMetadataOnly) {
      await this.mutations.run(context, async (write) => {
        for (const { info, dto: p } of partitions) await this.saveUserMetadata(write.transaction, info, p, write.user, write.now);
      });
      return { added: [], updated: [] };
    }

    const connector = requireCapability(catalog, 'savePartitions', 'saving partitions');
    const tableInfo = dto.dataMetadata ? await connector.getTable(table) : undefined;
    return this.mutations.run(context, async (write, events) => {
      const trx = write.transaction;
      const result = await connector.savePartitions!(write, table, {
        partitions: partitions.map((p) => p.info),
        deletes,
        alterIfExists: dto.alterIfExists,
      });
      for (const { info, dto: p } of partitions) await this.saveUserMetadata(trx, info, p, write.user, write.now);
      await this.metadata.mergeDefinition(trx, table, dto.definitionMetadata, write.user, write.now);
      await this.metadata.mergeData(trx, tableInfo?.serde?.uri, dto.dataMetadata, write.user, write.now);
      if (result.added.length > 0 || result.updated.length > 0) {
        events.emit('PARTITION_ADD', table, {
          added: result.added.slice(0, EVENT_NAME_LIMIT),
          updated: result.updated.slice(0, EVENT_NAME_LIMIT),
          numAddedPartitions: result.added.length,
          numUpdatedPartitions: result.updated.length,
        });
      }
      if (result.deleted.length > 0) {
        events.emit('PARTITION_DELETE', table, { deleted: result.deleted.slice(0, EVENT_NAME_LIMIT), numDeletedPartitions: result.deleted.length });
      }
      return { added: result.added, updated: result.updated };
    });
  }

  async delete(context: RequestContext, table: QualifiedName, names: readonly string[]): Promise<void> {
    const catalog = this.registry.get(table.catalogName);
    if (names.length === 0) throw new InvalidInputError('The request body must name at least one partition to delete', 'body');
    const deleteLimit = this.settings.partitionDeleteLimit;
    if (deleteLimit !== undefined && names.length > deleteLimit) {
      throw new InvalidInputError(`The request deletes ${names.length} partitions; at most ${deleteLimit} are accepted at once (partitionDeleteLimit)`, 'body');
    }
    const connector = requireCapability(catalog, 'savePartitions', 'deleting partitions');
    await this.mutations.run(context, async (write, events) => {
      await connector.deletePartitions!(write, table, names);
      events.emit('PARTITION_DELETE', table, { deleted: names.slice(0, EVENT_NAME_LIMIT), numDeletedPartitions: names.length });
    });
  }

  private async saveUserMetadata(
    trx: Parameters<UserMetadata['mergeDefinition']>[0],
    partition: PartitionInfo,
    dto: { definitionMetadata?: JsonObject | null; dataMetadata?: JsonObject | null },
    user: string,
    now: number,
  ): Promise<void> {
    if (dto.definitionMetadata && Object.keys(dto.definitionMetadata).length > 0) {
      await this.metadata.definitions.merge(trx, partition.name, dto.definitionMetadata, user, now);
    }
    if (dto.dataMetadata && partition.serde?.uri) {
      await this.metadata.mergeData(trx, partition.serde.uri.replace(/\/+$/, ''), dto.dataMetadata, user, now);
    }
  }
}
