import type { FieldInfo, StorageInfo, TableInfo } from '../catalog-model.ts';
import type { DatabaseRequest, PartitionsSaveRequest, TableRequest } from '../catalog-requests.ts';
import type { QualifiedName } from '../qualified-name.ts';
import type { DatabaseCreateRequestDto, FieldDto, PartitionsSaveRequestDto, StorageDto, TableDto } from './metacat-schemas.ts';

// Metacat's request bodies → the catalog's requests (catalog-requests.ts). Jackson-based clients send
// absent values as null; here they become absent, so stored and returned JSON carries only what was given.

/** A TableDto as a request about table `name`: only what a client may set (audit is the server's). */
export function tableRequest(name: QualifiedName, dto: TableDto): TableRequest {
  const table: TableInfo = {
    name,
    fields: (dto.fields ?? []).map(fieldIn),
    metadata: { ...(dto.metadata ?? {}) },
    audit: {},
  };
  if (dto.serde) table.serde = storageIn(dto.serde);
  if (dto.view) table.view = given(dto.view, ['viewOriginalText', 'viewExpandedText']);
  return {
    ...(dto.name ? { givenName: dto.name } : {}),
    table,
    changesTable: Boolean((dto.fields && dto.fields.length > 0) || dto.serde || (dto.metadata && Object.keys(dto.metadata).length > 0) || dto.view),
    definitionMetadata: dto.definitionMetadata,
    dataMetadata: dto.dataMetadata,
  };
}

export function databaseRequest(dto: DatabaseCreateRequestDto): DatabaseRequest {
  return { uri: dto.uri ?? undefined, metadata: dto.metadata ?? undefined, definitionMetadata: dto.definitionMetadata };
}

export function partitionsSaveRequest(dto: PartitionsSaveRequestDto): PartitionsSaveRequest {
  return {
    partitions: (dto.partitions ?? []).map((p) => ({
      name: p.name,
      ...(p.serde ? { serde: storageIn(p.serde) } : {}),
      metadata: { ...(p.metadata ?? {}) },
      definitionMetadata: p.definitionMetadata,
      dataMetadata: p.dataMetadata,
    })),
    deletes: dto.partitionIdsForDeletes ?? [],
    alterIfExists: dto.alterIfExists ?? false,
    saveMetadataOnly: dto.saveMetadataOnly ?? false,
    definitionMetadata: dto.definitionMetadata,
    dataMetadata: dto.dataMetadata,
  };
}

function fieldIn(dto: FieldDto, pos: number): FieldInfo {
  return {
    name: dto.name.trim(),
    type: (dto.type ?? dto.source_type ?? '').trim(),
    ...given(dto, ['source_type']),
    partition_key: dto.partition_key ?? false,
    pos: dto.pos ?? pos,
    ...given(dto, ['comment', 'isNullable', 'size', 'defaultValue', 'isSortKey', 'isIndexKey']),
  };
}

function storageIn(dto: StorageDto): StorageInfo {
  return given(dto, ['inputFormat', 'outputFormat', 'serializationLib', 'owner', 'uri', 'parameters', 'serdeInfoParameters']);
}

/** The named properties that have a value (neither absent nor null), in the order named. */
function given<T extends object, K extends keyof T>(dto: T, keys: readonly K[]): { [P in K]?: NonNullable<T[P]> } {
  return Object.fromEntries(keys.filter((key) => dto[key] !== undefined && dto[key] !== null).map((key) => [key, dto[key]])) as { [P in K]?: NonNullable<T[P]> };
}
