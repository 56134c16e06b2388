import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { readAvroFile, writeAvroFile } from './avro-codec.ts';
import { EntryStatus, FileContent, UNASSIGNED_SEQUENCE, type DataFile, type FieldSummary, type ManifestEntry, type ManifestFile } from './data-file.ts';
import type { FileIO } from './file-io.ts';
import type { PrimitiveType } from './iceberg-type.ts';
import { avroName, manifestEntrySchema, MANIFEST_LIST_SCHEMA } from './manifest-schemas.ts';
import type { PartitionSpec, PartitionTuple } from './partition-spec.ts';
import type { Schema } from './schema.ts';
import { InvalidMetadataError } from './table-errors.ts';
import { compareValues, deserializeValue, fromTwosComplement, serializeValue, toTwosComplement, type IcebergValue } from './values.ts';
import { decimalBytes } from './iceberg-type.ts';

/** An entry to write: sequence numbers null for files added by the commit being made (inherited). */
export interface EntryToWrite {
  status: EntryStatus;
  snapshotId: bigint | null;
  sequenceNumber: number | null;
  fileSequenceNumber: number | null;
  dataFile: DataFile;
}

/**
 * Writes a data manifest and returns its manifest-list line. A manifest of a commit in progress has
 * UNASSIGNED sequence numbers: the manifest list assigns them, so a retried commit reuses the file.
 */
export async function writeManifest(
  io: FileIO,
  uri: string,
  args: { spec: PartitionSpec; schema: Schema; snapshotId: bigint; entries: readonly EntryToWrite[] },
): Promise<ManifestFile> {
  const { spec, schema, entries } = args;
  const types = spec.fieldTypes(schema);
  // A manifest holds data files or delete files, never both (spec "Manifests").
  const content: 0 | 1 = entries.some((e) => e.dataFile.content !== FileContent.Data) ? 1 : 0;
  if (entries.some((e) => (e.dataFile.content === FileContent.Data) !== (content === 0))) {
    throw new InvalidInputError('A manifest cannot hold both data files and delete files', 'manifest');
  }
  const records = entries.map((e) => ({
    status: e.status,
    snapshot_id: e.snapshotId,
    sequence_number: e.sequenceNumber,
    file_sequence_number: e.fileSequenceNumber,
    data_file: {
      content: e.dataFile.content,
      file_path: e.dataFile.filePath,
      file_format: e.dataFile.fileFormat,
      partition: Object.fromEntries(types.map(({ field, result }, i) => [avroName(field.name), toAvro(result, e.dataFile.partition[i] ?? null)])),
      record_count: BigInt(e.dataFile.recordCount),
      file_size_in_bytes: BigInt(e.dataFile.fileSizeInBytes),
      column_sizes: mapToAvro(e.dataFile.columnSizes, (v) => BigInt(v)),
      value_counts: mapToAvro(e.dataFile.valueCounts, (v) => BigInt(v)),
      null_value_counts: mapToAvro(e.dataFile.nullValueCounts, (v) => BigInt(v)),
      nan_value_counts: mapToAvro(e.dataFile.nanValueCounts, (v) => BigInt(v)),
      lower_bounds: mapToAvro(e.dataFile.lowerBounds, (v) => Buffer.from(v)),
      upper_bounds: mapToAvro(e.dataFile.upperBounds, (v) => Buffer.from(v)),
      key_metadata: null,
      split_offsets: e.dataFile.splitOffsets ? e.dataFile.splitOffsets.map((o) => BigInt(o)) : null,
      equality_ids: e.dataFile.equalityIds ? [...e.dataFile.equalityIds] : null,
      sort_order_id: e.dataFile.sortOrderId ?? null,
    },
  }));
  const bytes = await writeAvroFile(manifestEntrySchema(spec, schema), records, {
    schema: JSON.stringify(schema.toJson()),
    'schema-id': String(schema.schemaId),
    'partition-spec': JSON.stringify(spec.fieldsJson()),
    'partition-spec-id': String(spec.specId),
    'format-version': '2',
    content: content === 0 ? 'data' : 'deletes',
  });
  await io.write(uri, bytes, { createOnly: true });

  const count = (status: EntryStatus) => entries.filter((e) => e.status === status);
  const rows = (status: EntryStatus) => count(status).reduce((sum, e) => sum + e.dataFile.recordCount, 0);
  const live = entries.filter((e) => e.status !== EntryStatus.Deleted);
  const knownSequences = live.map((e) => e.sequenceNumber).filter((s): s is number => s !== null);
  return {
    manifestPath: uri,
    manifestLength: bytes.byteLength,
    partitionSpecId: spec.specId,
    content,
    sequenceNumber: UNASSIGNED_SEQUENCE,
    // Files carried over keep their sequence numbers, which are below the new one; files added by
    // this commit inherit the new one, so only carried-over files can lower the minimum.
    minSequenceNumber: knownSequences.length > 0 ? Math.min(...knownSequences) : UNASSIGNED_SEQUENCE,
    addedSnapshotId: args.snapshotId,
    addedFilesCount: count(EntryStatus.Added).length,
    existingFilesCount: count(EntryStatus.Existing).length,
    deletedFilesCount: count(EntryStatus.Deleted).length,
    addedRowsCount: rows(EntryStatus.Added),
    existingRowsCount: rows(EntryStatus.Existing),
    deletedRowsCount: rows(EntryStatus.Deleted),
    partitions: summarize(types.map((t) => t.result), live.map((e) => e.dataFile.partition)),
  };
}

/** Partition field summaries: per field, whether any value is null, and the min/max of the others. */
export function summarize(types: readonly PrimitiveType[], tuples: readonly PartitionTuple[]): FieldSummary[] {
  return types.map((type, i) => {
    let containsNull = false;
    let containsNan = false;
    let lower: IcebergValue | undefined;
    let upper: IcebergValue | undefined;
    for (const tuple of tuples) {
      const v = tuple[i] ?? null;
      if (v === null) containsNull = true;
      else if (typeof v === 'number' && Number.isNaN(v)) containsNan = true;
      else {
        if (lower === undefined || compareValues(type, v, lower) < 0) lower = v;
        if (upper === undefined || compareValues(type, v, upper) > 0) upper = v;
      }
    }
    return {
      containsNull,
      ...(type.kind === 'float' || type.kind === 'double' ? { containsNan } : {}),
      ...(lower !== undefined ? { lowerBound: serializeValue(type, lower), upperBound: serializeValue(type, upper!) } : {}),
    };
  });
}

/**
 * Reads a manifest's entries, inheriting null snapshot ids and sequence numbers from its manifest
 * list line (spec "Sequence Number Inheritance"). Deleted entries are included; scans skip them.
 */
export async function readManifest(io: FileIO, manifest: ManifestFile, spec: PartitionSpec, schema: Schema): Promise<ManifestEntry[]> {
  let file;
  try {
    file = await readAvroFile<Record<string, unknown>>(await io.read(manifest.manifestPath));
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidMetadataError(manifest.manifestPath, `not a readable Avro manifest (${(error as Error).message})`);
  }
  const types = spec.fieldTypes(schema);
  // Partition values are matched by field id through the writer's schema, not by position or name.
  const partitionFields = writerPartitionFields(file.schema);
  return file.records.map((r) => {
    const df = r.data_file as Record<string, unknown>;
    const partition = (df.partition ?? {}) as Record<string, unknown>;
    const status = Number(r.status) as EntryStatus;
    const inherit = (value: unknown, fallback: number) => (value === null || value === undefined ? fallback : Number(value));
    const added = status === EntryStatus.Added;
    const dataFile: DataFile = {
      content: Number(df.content ?? 0) as FileContent,
      filePath: String(df.file_path),
      fileFormat: String(df.file_format).toUpperCase() as DataFile['fileFormat'],
      specId: manifest.partitionSpecId,
      partition: types.map(({ field, result }) => {
        const name = partitionFields.get(field.fieldId) ?? avroName(field.name);
        return fromAvro(result, partition[name] ?? null);
      }),
      recordCount: Number(df.record_count),
      fileSizeInBytes: Number(df.file_size_in_bytes),
      columnSizes: mapFromAvro(df.column_sizes, Number),
      valueCounts: mapFromAvro(df.value_counts, Number),
      nullValueCounts: mapFromAvro(df.null_value_counts, Number),
      nanValueCounts: mapFromAvro(df.nan_value_counts, Number),
      lowerBounds: mapFromAvro(df.lower_bounds, (b) => new Uint8Array(b as Buffer)),
      upperBounds: mapFromAvro(df.upper_bounds, (b) => new Uint8Array(b as Buffer)),
      ...(Array.isArray(df.split_offsets) ? { splitOffsets: (df.split_offsets as bigint[]).map(Number) } : {}),
      ...(df.sort_order_id !== null && df.sort_order_id !== undefined ? { sortOrderId: Number(df.sort_order_id) } : {}),
      ...(Array.isArray(df.equality_ids) ? { equalityIds: (df.equality_ids as number[]).map(Number) } : {}),
    };
    return {
      status,
      snapshotId: r.snapshot_id === null || r.snapshot_id === undefined ? manifest.addedSnapshotId : BigInt(r.snapshot_id as bigint),
      sequenceNumber: inherit(r.sequence_number, added ? manifest.sequenceNumber : 0),
      fileSequenceNumber: inherit(r.file_sequence_number, added ? manifest.sequenceNumber : 0),
      dataFile,
    };
  });
}

function writerPartitionFields(schema: Record<string, unknown>): Map<number, string> {
  const out = new Map<number, string>();
  const fields = (schema.fields ?? []) as Record<string, unknown>[];
  const dataFile = fields.find((f) => f.name === 'data_file')?.type as Record<string, unknown> | undefined;
  const partition = ((dataFile?.fields ?? []) as Record<string, unknown>[]).find((f) => f.name === 'partition')?.type as Record<string, unknown> | undefined;
  for (const f of (partition?.fields ?? []) as Record<string, unknown>[]) {
    if (typeof f['field-id'] === 'number') out.set(f['field-id'], String(f.name));
  }
  return out;
}

export async function writeManifestList(
  io: FileIO,
  uri: string,
  args: { snapshotId: bigint; parentSnapshotId?: bigint; sequenceNumber: number; manifests: readonly ManifestFile[] },
): Promise<ManifestFile[]> {
  const assigned = args.manifests.map((m) => ({
    ...m,
    sequenceNumber: m.sequenceNumber === UNASSIGNED_SEQUENCE ? args.sequenceNumber : m.sequenceNumber,
    minSequenceNumber: m.minSequenceNumber === UNASSIGNED_SEQUENCE ? args.sequenceNumber : Math.min(m.minSequenceNumber, m.sequenceNumber === UNASSIGNED_SEQUENCE ? args.sequenceNumber : m.sequenceNumber),
  }));
  const records = assigned.map((m) => ({
    manifest_path: m.manifestPath,
    manifest_length: BigInt(m.manifestLength),
    partition_spec_id: m.partitionSpecId,
    content: m.content,
    sequence_number: BigInt(m.sequenceNumber),
    min_sequence_number: BigInt(m.minSequenceNumber),
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.addedFilesCount,
    existing_files_count: m.existingFilesCount,
    deleted_files_count: m.deletedFilesCount,
    added_rows_count: BigInt(m.addedRowsCount),
    existing_rows_count: BigInt(m.existingRowsCount),
    deleted_rows_count: BigInt(m.deletedRowsCount),
    partitions: m.partitions
      ? m.partitions.map((p) => ({
          contains_null: p.containsNull,
          contains_nan: p.containsNan ?? null,
          lower_bound: p.lowerBound ? Buffer.from(p.lowerBound) : null,
          upper_bound: p.upperBound ? Buffer.from(p.upperBound) : null,
        }))
      : null,
    key_metadata: null,
  }));
  const bytes = await writeAvroFile(MANIFEST_LIST_SCHEMA, records, {
    'snapshot-id': args.snapshotId.toString(),
    'parent-snapshot-id': args.parentSnapshotId !== undefined ? args.parentSnapshotId.toString() : 'null',
    'sequence-number': String(args.sequenceNumber),
    'format-version': '2',
  });
  await io.write(uri, bytes, { createOnly: true });
  return assigned;
}

export async function readManifestList(io: FileIO, uri: string): Promise<ManifestFile[]> {
  let file;
  try {
    file = await readAvroFile<Record<string, unknown>>(await io.read(uri));
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidMetadataError(uri, `not a readable Avro manifest list (${(error as Error).message})`);
  }
  return file.records.map((r) => ({
    manifestPath: String(r.manifest_path),
    manifestLength: Number(r.manifest_length),
    partitionSpecId: Number(r.partition_spec_id),
    content: Number(r.content ?? 0) as 0 | 1,
    sequenceNumber: Number(r.sequence_number ?? 0),
    minSequenceNumber: Number(r.min_sequence_number ?? 0),
    addedSnapshotId: BigInt((r.added_snapshot_id ?? 0) as bigint),
    addedFilesCount: Number(r.added_files_count ?? r.added_data_files_count ?? 0),
    existingFilesCount: Number(r.existing_files_count ?? r.existing_data_files_count ?? 0),
    deletedFilesCount: Number(r.deleted_files_count ?? r.deleted_data_files_count ?? 0),
    addedRowsCount: Number(r.added_rows_count ?? 0),
    existingRowsCount: Number(r.existing_rows_count ?? 0),
    deletedRowsCount: Number(r.deleted_rows_count ?? 0),
    ...(Array.isArray(r.partitions)
      ? {
          partitions: (r.partitions as Record<string, unknown>[]).map((p) => ({
            containsNull: Boolean(p.contains_null),
            ...(p.contains_nan !== null && p.contains_nan !== undefined ? { containsNan: Boolean(p.contains_nan) } : {}),
            ...(p.lower_bound ? { lowerBound: new Uint8Array(p.lower_bound as Buffer) } : {}),
            ...(p.upper_bound ? { upperBound: new Uint8Array(p.upper_bound as Buffer) } : {}),
          })),
        }
      : {}),
  }));
}

function mapToAvro<V, A>(map: ReadonlyMap<number, V> | undefined, convert: (v: V) => A): { key: number; value: A }[] | null {
  if (!map) return null;
  return [...map.entries()].sort((a, b) => a[0] - b[0]).map(([key, value]) => ({ key, value: convert(value) }));
}

function mapFromAvro<V>(value: unknown, convert: (v: unknown) => V): Map<number, V> | undefined {
  if (value === null || value === undefined) return undefined;
  // Written as the spec's array of key/value records; some writers use an Avro map with string keys.
  if (Array.isArray(value)) return new Map(value.map((e: { key: number; value: unknown }) => [Number(e.key), convert(e.value)]));
  return new Map(Object.entries(value as Record<string, unknown>).map(([k, v]) => [Number(k), convert(v)]));
}

function toAvro(type: PrimitiveType, value: IcebergValue | null): unknown {
  if (value === null) return null;
  switch (type.kind) {
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return BigInt(value as bigint);
    case 'int':
    case 'date':
      return Number(value);
    case 'decimal':
      return Buffer.from(toTwosComplement(value as bigint, decimalBytes(type.precision)));
    case 'uuid':
    case 'binary':
    case 'fixed':
      return Buffer.from(serializeValue(type, value));
    default:
      return value;
  }
}

function fromAvro(type: PrimitiveType, value: unknown): IcebergValue | null {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return BigInt(value as bigint | number);
    case 'int':
    case 'date':
      return Number(value);
    case 'decimal':
      return fromTwosComplement(value as Buffer);
    case 'uuid':
    case 'binary':
    case 'fixed':
      return deserializeValue(type, value as Buffer);
    default:
      return value as IcebergValue;
  }
}
