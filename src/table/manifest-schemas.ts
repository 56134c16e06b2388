import { decimalBytes, type PrimitiveType } from './iceberg-type.ts';
import type { PartitionSpec } from './partition-spec.ts';
import type { Schema } from './schema.ts';

/**
 * The Avro schemas of manifests and manifest lists, format v2, with the field ids the spec fixes
 * ("Manifest Entry Fields", "Data File Fields", "Manifest Lists"). Readers such as Spark, Trino and
 * PyIceberg resolve fields by these ids, so they must match the spec exactly.
 */

const optional = (type: unknown) => ['null', type];

/** An Avro map keyed by int: an array of key/value records with logicalType "map" (Appendix A). */
function intMap(fieldId: number, name: string, keyId: number, valueId: number, valueType: unknown, doc: string) {
  return {
    name,
    type: optional({
      type: 'array',
      logicalType: 'map',
      items: {
        type: 'record',
        name: `k${keyId}_v${valueId}`,
        fields: [
          { name: 'key', type: 'int', 'field-id': keyId },
          { name: 'value', type: valueType, 'field-id': valueId },
        ],
      },
    }),
    default: null,
    'field-id': fieldId,
    doc,
  };
}

/** The Avro type of a partition value of this Iceberg type (Appendix A data type mappings). */
export function avroTypeOf(type: PrimitiveType, name: string): unknown {
  switch (type.kind) {
    case 'boolean':
    case 'int':
    case 'long':
    case 'float':
    case 'double':
    case 'string':
      return type.kind;
    case 'binary':
      return 'bytes';
    case 'date':
      return { type: 'int', logicalType: 'date' };
    case 'time':
      return { type: 'long', logicalType: 'time-micros' };
    case 'timestamp':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false };
    case 'timestamptz':
      return { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true };
    case 'decimal':
      return { type: 'fixed', name: `${name}_decimal`, size: decimalBytes(type.precision), logicalType: 'decimal', precision: type.precision, scale: type.scale };
    case 'uuid':
      return { type: 'fixed', name: `${name}_uuid`, size: 16, logicalType: 'uuid' };
    case 'fixed':
      return { type: 'fixed', name: `${name}_fixed`, size: type.length };
  }
}

/** Avro names allow [A-Za-z0-9_] only; other characters become _x<hex>, as Iceberg's Avro util does. */
export function avroName(name: string): string {
  const safe = [...name].map((c, i) => (/[A-Za-z_]/.test(c) || (i > 0 && /[0-9]/.test(c)) ? c : `_x${c.codePointAt(0)!.toString(16).toUpperCase()}`)).join('');
  return safe;
}

export function partitionRecordSchema(spec: PartitionSpec, schema: Schema): Record<string, unknown> {
  return {
    type: 'record',
    name: 'r102',
    fields: spec.fieldTypes(schema).map(({ field, result }) => ({
      name: avroName(field.name),
      type: optional(avroTypeOf(result, `r102_${field.fieldId}`)),
      default: null,
      'field-id': field.fieldId,
    })),
  };
}

export function manifestEntrySchema(spec: PartitionSpec, schema: Schema): Record<string, unknown> {
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      { name: 'status', type: 'int', 'field-id': 0 },
      { name: 'snapshot_id', type: optional('long'), default: null, 'field-id': 1 },
      { name: 'sequence_number', type: optional('long'), default: null, 'field-id': 3 },
      { name: 'file_sequence_number', type: optional('long'), default: null, 'field-id': 4 },
      {
        name: 'data_file',
        'field-id': 2,
        type: {
          type: 'record',
          name: 'r2',
          fields: [
            { name: 'content', type: 'int', 'field-id': 134, doc: 'Contents of the file: 0=data, 1=position deletes, 2=equality deletes' },
            { name: 'file_path', type: 'string', 'field-id': 100, doc: 'Location URI with FS scheme' },
            { name: 'file_format', type: 'string', 'field-id': 101, doc: 'File format name: avro, orc, or parquet' },
            { name: 'partition', type: partitionRecordSchema(spec, schema), 'field-id': 102, doc: 'Partition data tuple, schema based on the partition spec' },
            { name: 'record_count', type: 'long', 'field-id': 103, doc: 'Number of records in the file' },
            { name: 'file_size_in_bytes', type: 'long', 'field-id': 104, doc: 'Total file size in bytes' },
            intMap(108, 'column_sizes', 117, 118, 'long', 'Map of column id to total size on disk'),
            intMap(109, 'value_counts', 119, 120, 'long', 'Map of column id to total count, including null and NaN'),
            intMap(110, 'null_value_counts', 121, 122, 'long', 'Map of column id to null value count'),
            intMap(137, 'nan_value_counts', 138, 139, 'long', 'Map of column id to number of NaN values in the column'),
            intMap(125, 'lower_bounds', 126, 127, 'bytes', 'Map of column id to lower bound'),
            intMap(128, 'upper_bounds', 129, 130, 'bytes', 'Map of column id to upper bound'),
            { name: 'key_metadata', type: optional('bytes'), default: null, 'field-id': 131, doc: 'Encryption key metadata blob' },
            { name: 'split_offsets', type: optional({ type: 'array', items: 'long', 'element-id': 133 }), default: null, 'field-id': 132, doc: 'Splittable offsets' },
            { name: 'equality_ids', type: optional({ type: 'array', items: 'int', 'element-id': 136 }), default: null, 'field-id': 135, doc: 'Equality comparison field IDs' },
            { name: 'sort_order_id', type: optional('int'), default: null, 'field-id': 140, doc: 'Sort order ID' },
          ],
        },
      },
    ],
  };
}

export const MANIFEST_LIST_SCHEMA = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    { name: 'manifest_path', type: 'string', 'field-id': 500, doc: 'Location URI with FS scheme' },
    { name: 'manifest_length', type: 'long', 'field-id': 501, doc: 'Total file size in bytes' },
    { name: 'partition_spec_id', type: 'int', 'field-id': 502, doc: 'Spec ID used to write' },
    { name: 'content', type: 'int', 'field-id': 517, doc: 'Contents of the manifest: 0=data, 1=deletes' },
    { name: 'sequence_number', type: 'long', 'field-id': 515, doc: 'Sequence number when the manifest was added' },
    { name: 'min_sequence_number', type: 'long', 'field-id': 516, doc: 'Lowest sequence number in the manifest' },
    { name: 'added_snapshot_id', type: 'long', 'field-id': 503, doc: 'Snapshot ID that added the manifest' },
    { name: 'added_files_count', type: 'int', 'field-id': 504, doc: 'Added entry count' },
    { name: 'existing_files_count', type: 'int', 'field-id': 505, doc: 'Existing entry count' },
    { name: 'deleted_files_count', type: 'int', 'field-id': 506, doc: 'Deleted entry count' },
    { name: 'added_rows_count', type: 'long', 'field-id': 512, doc: 'Added rows count' },
    { name: 'existing_rows_count', type: 'long', 'field-id': 513, doc: 'Existing rows count' },
    { name: 'deleted_rows_count', type: 'long', 'field-id': 514, doc: 'Deleted rows count' },
    {
      name: 'partitions',
      type: optional({
        type: 'array',
        'element-id': 508,
        items: {
          type: 'record',
          name: 'r508',
          fields: [
            { name: 'contains_null', type: 'boolean', 'field-id': 509, doc: 'True if any file has a null partition value' },
            { name: 'contains_nan', type: optional('boolean'), default: null, 'field-id': 518, doc: 'True if any file has a nan partition value' },
            { name: 'lower_bound', type: optional('bytes'), default: null, 'field-id': 510, doc: 'Partition lower bound for all files' },
            { name: 'upper_bound', type: optional('bytes'), default: null, 'field-id': 511, doc: 'Partition upper bound for all files' },
          ],
        },
      }),
      default: null,
      'field-id': 507,
      doc: 'Summary for each partition',
    },
    { name: 'key_metadata', type: optional('bytes'), default: null, 'field-id': 519, doc: 'Encryption key metadata blob' },
  ],
};
