import type { QualifiedName } from './qualified-name.ts';

/**
 * What connectors return and accept: the schema side of the catalog. User metadata (definition and
 * data metadata, tags) is the service's business and never passes through a connector. Field,
 * storage and view shapes use Metacat's JSON names so they serialise unchanged; timestamps are epoch
 * milliseconds (the HTTP layer renders ISO-8601).
 */

export interface AuditInfo {
  createdBy?: string;
  createdDate?: number;
  lastModifiedBy?: string;
  lastModifiedDate?: number;
}

export interface FieldInfo {
  name: string;
  /** Type in the common type system (reference/metacat.md §1 canonical names). */
  type: string;
  /** The source system's own type name. */
  source_type?: string;
  partition_key?: boolean;
  pos?: number;
  comment?: string;
  isNullable?: boolean;
  size?: number;
  defaultValue?: string;
  isSortKey?: boolean;
  isIndexKey?: boolean;
}

/** The storage descriptor ("serde"): where the data is and how it is encoded. */
export interface StorageInfo {
  inputFormat?: string;
  outputFormat?: string;
  serializationLib?: string;
  owner?: string;
  uri?: string;
  parameters?: Record<string, string>;
  serdeInfoParameters?: Record<string, string>;
}

export interface ViewInfo {
  viewOriginalText?: string;
  viewExpandedText?: string;
}

export interface DatabaseInfo {
  name: QualifiedName;
  uri?: string;
  /** Database parameters. */
  metadata: Record<string, string>;
  audit: AuditInfo;
}

export interface TableInfo {
  name: QualifiedName;
  fields: FieldInfo[];
  serde?: StorageInfo;
  /** Table parameters (`EXTERNAL`, `table_type`, `metadata_location`, `numRows`, …). */
  metadata: Record<string, string>;
  view?: ViewInfo;
  audit: AuditInfo;
  /** Extra detail shown with includeInfoDetails (Iceberg: `metadata_content`). */
  details?: Record<string, unknown>;
}

export interface PartitionInfo {
  /** A partition qualified name. */
  name: QualifiedName;
  serde?: StorageInfo;
  metadata: Record<string, string>;
  audit: AuditInfo;
}

/** Names of fields marked as partition keys, in field order. */
export function partitionKeysOf(table: Pick<TableInfo, 'fields'>): FieldInfo[] {
  return table.fields.filter((field) => field.partition_key === true);
}

const NUMERIC_TYPES = /^(tinyint|smallint|int|integer|bigint|long|float|double|real|decimal|numeric)\b/i;

/** Whether values of this type compare numerically in partition filters. */
export function isNumericType(type: string): boolean {
  return NUMERIC_TYPES.test(type.trim());
}
