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
  if (dto.view) table.view = compact({ viewOriginalText: dto.view.viewOriginalText ?? undefined, viewExpandedText: dto.view.viewExpandedText ?? undefined });
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
  return compact({
    name: dto.name.trim(),
    type: (dto.type ?? dto.source_type ?? '').trim(),
    source_type: dto.source_type ?? undefined,
    partition_key: dto.partition_key ?? false,
    pos: dto.pos ?? pos,
    comment: dto.comment ?? undefined,
    isNullable: dto.isNullable ?? undefined,
    size: dto.size ?? undefined,
    defaultValue: dto.defaultValue ?? undefined,
    isSortKey: dto.isSortKey ?? undefined,
    isIndexKey: dto.isIndexKey ?? undefined,
  });
}

function storageIn(dto: StorageDto): StorageInfo {
  return compact({
    inputFormat: dto.inputFormat ?? undefined,
    outputFormat: dto.outputFormat ?? undefined,
    serializationLib: dto.serializationLib ?? undefined,
    owner: dto.owner ?? undefined,
    uri: dto.uri ?? undefined,
    parameters: dto.parameters ?? undefined,
    serdeInfoParameters: dto.serdeInfoParameters ?? undefined,
  });
}

/** Drops undefined properties. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
