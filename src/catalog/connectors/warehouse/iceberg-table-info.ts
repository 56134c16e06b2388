import type { IcebergType } from '../../../table/iceberg-type.ts';
import { currentSchema, defaultSpec, metadataToJson } from '../../../table/table-metadata.ts';
import type { TableState } from '../../../table/table-operations.ts';
import type { TablePointer } from '../../../table/table-pointer-store.ts';
import type { FieldInfo, TableInfo } from '../../catalog-model.ts';
import type { QualifiedName } from '../../qualified-name.ts';
import { ICEBERG_TABLE_TYPE } from './iceberg-table-support.ts';

/**
 * An Iceberg table as Metacat shows it (reference/metacat.md §5): the pointer as parameters
 * (`table_type`, `metadata_location`, `previous_metadata_location`), and — when the metadata file
 * was read — the current schema as fields, the table location as `serde.uri`, `current_snapshot_id`
 * (-1 without snapshots), `table_version` (the format version), `branches` (JSON: branch name →
 * snapshot id), the current snapshot's `quarry.snapshot.*` summary entries (a dimension snapshot's
 * lineage) and, with `includeDetails`, the whole file as `metadata_content`.
 */
export function icebergTableInfo(name: QualifiedName, pointer: TablePointer, state: TableState | undefined, includeDetails = false): TableInfo {
  const metadata: Record<string, string> = { table_type: ICEBERG_TABLE_TYPE, metadata_location: pointer.metadataLocation };
  if (pointer.previousMetadataLocation) metadata.previous_metadata_location = pointer.previousMetadataLocation;
  if (!state) return { name, fields: [], metadata, audit: {} };
  const md = state.metadata;
  metadata.current_snapshot_id = String(md.currentSnapshotId ?? -1n);
  metadata.table_version = String(md.formatVersion);
  const branches = Object.fromEntries(
    Object.entries(md.refs)
      .filter(([, ref]) => ref.type === 'branch')
      .map(([branch, ref]) => [branch, ref.snapshotId.toString()]),
  );
  metadata.branches = JSON.stringify(branches);
  // Lineage a dimension snapshot wrote into the current snapshot's summary (source, read time, rows, job).
  const current = md.snapshots.find((s) => s.snapshotId === md.currentSnapshotId);
  for (const [key, value] of Object.entries(current?.summary ?? {})) if (key.startsWith('quarry.snapshot.')) metadata[key] = value;
  if (includeDetails) metadata.metadata_content = metadataToJson(md);
  const firstSnapshot = md.snapshots.reduce<number | undefined>((min, s) => (min === undefined || s.timestampMs < min ? s.timestampMs : min), undefined);
  return {
    name,
    fields: icebergFields(state),
    serde: { uri: md.location },
    metadata,
    audit: { createdDate: firstSnapshot ?? md.lastUpdatedMs, lastModifiedDate: md.lastUpdatedMs },
  };
}

/**
 * Top-level columns of the current schema. A column is a partition key when a partition field of
 * the default spec derives from it; void fields (dropped partitioning) are left out.
 */
function icebergFields(state: TableState): FieldInfo[] {
  const md = state.metadata;
  const partitionSources = new Set(defaultSpec(md).fields.filter((f) => f.transform.kind !== 'void').map((f) => f.sourceId));
  return currentSchema(md).fields.map((field, pos) => ({
    name: field.name,
    type: metacatType(field.type),
    source_type: icebergTypeText(field.type),
    partition_key: partitionSources.has(field.id),
    pos,
    isNullable: !field.required,
    ...(field.doc !== undefined ? { comment: field.doc } : {}),
  }));
}

/** Metacat's canonical (Hive-style) type name of an Iceberg type. */
export function metacatType(type: IcebergType): string {
  switch (type.kind) {
    case 'long':
      return 'bigint';
    case 'timestamptz':
      return 'timestamp';
    case 'uuid':
      return 'string';
    case 'fixed':
      return 'binary';
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}:${metacatType(f.type)}`).join(',')}>`;
    case 'list':
      return `array<${metacatType(type.element)}>`;
    case 'map':
      return `map<${metacatType(type.key)},${metacatType(type.value)}>`;
    default:
      return type.kind;
  }
}

/** Iceberg's own spelling of a type, for `source_type`. */
function icebergTypeText(type: IcebergType): string {
  switch (type.kind) {
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    case 'fixed':
      return `fixed[${type.length}]`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}: ${icebergTypeText(f.type)}`).join(', ')}>`;
    case 'list':
      return `list<${icebergTypeText(type.element)}>`;
    case 'map':
      return `map<${icebergTypeText(type.key)}, ${icebergTypeText(type.value)}>`;
    default:
      return type.kind;
  }
}
