import type { AuditInfo, DatabaseInfo, FieldInfo, PartitionInfo, StorageInfo, TableInfo, ViewInfo } from './catalog-model.ts';
import { partitionKeysOf } from './catalog-model.ts';
import type { JsonObject } from './metadata/json-merge.ts';
import type { QualifiedNameJson } from './qualified-name.ts';

// Metacat's JSON documents of tables, partitions and databases: what /mds/v1 answers and what the
// catalog's events carry (an event's `table`, `previous` and patch are these documents), so they are
// built by the services. What a client sends is mapped by the routes (routes/metacat-requests.ts).

/** What the API returns for an audit: ISO-8601 dates. */
export interface AuditOut {
  createdBy?: string;
  createdDate?: string;
  lastModifiedBy?: string;
  lastModifiedDate?: string;
}

export interface TableOut {
  name: QualifiedNameJson;
  audit?: AuditOut;
  fields?: FieldInfo[];
  serde?: StorageInfo;
  metadata?: Record<string, string>;
  view?: ViewInfo;
  definitionMetadata?: JsonObject;
  dataMetadata?: JsonObject;
  partition_keys?: string[];
  dataExternal?: boolean;
  dataUri?: string;
  [detail: string]: unknown;
}

export interface PartitionOut {
  name: QualifiedNameJson;
  audit: AuditOut;
  serde: StorageInfo;
  metadata: Record<string, string>;
  definitionMetadata?: JsonObject;
  dataMetadata?: JsonObject;
  dataExternal: boolean;
}

export interface DatabaseOut {
  name: QualifiedNameJson;
  type: string;
  tables?: string[];
  dateCreated?: string;
  lastUpdated?: string;
  definitionMetadata?: JsonObject;
  metadata: Record<string, string>;
  uri?: string;
}

export function isoDate(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

export function auditOut(audit: AuditInfo): AuditOut {
  const out: AuditOut = {};
  if (audit.createdBy !== undefined) out.createdBy = audit.createdBy;
  if (audit.createdDate !== undefined) out.createdDate = isoDate(audit.createdDate);
  if (audit.lastModifiedBy !== undefined) out.lastModifiedBy = audit.lastModifiedBy;
  if (audit.lastModifiedDate !== undefined) out.lastModifiedDate = isoDate(audit.lastModifiedDate);
  return out;
}

export interface TableOutOptions {
  includeInfo: boolean;
  definitionMetadata?: JsonObject;
  dataMetadata?: JsonObject;
}

/** TableInfo → Metacat's TableDto, with the computed `partition_keys`, `dataExternal` and `dataUri`. */
export function tableOut(table: TableInfo, options: TableOutOptions): TableOut {
  const out: TableOut = { name: table.name.toJSON() };
  if (options.includeInfo) {
    out.audit = auditOut(table.audit);
    out.fields = table.fields;
    if (table.serde) out.serde = table.serde;
    out.metadata = table.metadata;
    if (table.view) out.view = table.view;
    out.partition_keys = partitionKeysOf(table).map((f) => f.name);
    out.dataExternal = Boolean(table.serde?.uri);
    if (table.serde?.uri) out.dataUri = table.serde.uri;
    if (table.details) Object.assign(out, table.details);
  }
  if (options.definitionMetadata !== undefined) out.definitionMetadata = options.definitionMetadata;
  if (options.dataMetadata !== undefined) out.dataMetadata = options.dataMetadata;
  return out;
}

export function partitionOut(partition: PartitionInfo, definitionMetadata?: JsonObject, dataMetadata?: JsonObject): PartitionOut {
  const out: PartitionOut = {
    name: partition.name.toJSON(),
    audit: auditOut(partition.audit),
    serde: partition.serde ?? {},
    metadata: partition.metadata,
    dataExternal: Boolean(partition.serde?.uri),
  };
  if (definitionMetadata !== undefined) out.definitionMetadata = definitionMetadata;
  if (dataMetadata !== undefined) out.dataMetadata = dataMetadata;
  return out;
}

export function databaseOut(database: DatabaseInfo, type: string, tables?: string[], definitionMetadata?: JsonObject): DatabaseOut {
  const out: DatabaseOut = { name: database.name.toJSON(), type, metadata: database.metadata };
  if (tables) out.tables = tables;
  if (database.audit.createdDate !== undefined) out.dateCreated = isoDate(database.audit.createdDate);
  if (database.audit.lastModifiedDate !== undefined) out.lastUpdated = isoDate(database.audit.lastModifiedDate);
  if (definitionMetadata !== undefined) out.definitionMetadata = definitionMetadata;
  if (database.uri !== undefined) out.uri = database.uri;
  return out;
}
