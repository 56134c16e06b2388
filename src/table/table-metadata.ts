import { randomUUID } from 'node:crypto';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import { parseLosslessJson, stringifyLosslessJson } from './lossless-json.ts';
import { FIRST_PARTITION_FIELD_ID, PartitionSpec } from './partition-spec.ts';
import { Schema } from './schema.ts';
import { SortOrder } from './sort-order.ts';
import { InvalidMetadataError } from './table-errors.ts';

export type Operation = 'append' | 'replace' | 'overwrite' | 'delete';

export interface Snapshot {
  readonly snapshotId: bigint;
  readonly parentSnapshotId?: bigint;
  readonly sequenceNumber: number;
  readonly timestampMs: number;
  readonly manifestList: string;
  readonly summary: Readonly<Record<string, string>> & { operation: string };
  readonly schemaId?: number;
}

export interface SnapshotRef {
  readonly snapshotId: bigint;
  readonly type: 'branch' | 'tag';
  readonly minSnapshotsToKeep?: number;
  readonly maxSnapshotAgeMs?: number;
  readonly maxRefAgeMs?: number;
}

/**
 * The content of one `metadata.json` (spec "Table Metadata"), format version 2. Immutable: every
 * change produces a new value (metadata-builder.ts) that is written to a new file and committed
 * by swapping the table pointer.
 */
export interface TableMetadata {
  readonly formatVersion: number;
  readonly tableUuid: string;
  readonly location: string;
  readonly lastSequenceNumber: number;
  readonly lastUpdatedMs: number;
  readonly lastColumnId: number;
  readonly schemas: readonly Schema[];
  readonly currentSchemaId: number;
  readonly specs: readonly PartitionSpec[];
  readonly defaultSpecId: number;
  readonly lastPartitionId: number;
  readonly properties: Readonly<Record<string, string>>;
  readonly currentSnapshotId: bigint | null;
  readonly snapshots: readonly Snapshot[];
  readonly snapshotLog: readonly { timestampMs: number; snapshotId: bigint }[];
  readonly metadataLog: readonly { timestampMs: number; metadataFile: string }[];
  readonly sortOrders: readonly SortOrder[];
  readonly defaultSortOrderId: number;
  readonly refs: Readonly<Record<string, SnapshotRef>>;
  /** Fields Quarry does not interpret (statistics files), carried over unchanged. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/**
 * The `last-updated-ms` of a change made now to `base`: the clock, but never at or before the base's
 * own time, so a table's history stays in order when writers' clocks disagree.
 */
export function nextLastUpdatedMs(base: TableMetadata, nowMs = Date.now()): number {
  return Math.max(nowMs, base.lastUpdatedMs + 1);
}

export function currentSchema(md: TableMetadata): Schema {
  return schemaById(md, md.currentSchemaId);
}

export function schemaById(md: TableMetadata, id: number): Schema {
  const schema = md.schemas.find((s) => s.schemaId === id);
  if (!schema) throw new InvalidInputError(`Table has no schema with id ${id}`, 'schema-id');
  return schema;
}

export function specById(md: TableMetadata, id: number): PartitionSpec {
  const spec = md.specs.find((s) => s.specId === id);
  if (!spec) throw new InvalidInputError(`Table has no partition spec with id ${id}`, 'spec-id');
  return spec;
}

export function defaultSpec(md: TableMetadata): PartitionSpec {
  return specById(md, md.defaultSpecId);
}

export function defaultSortOrder(md: TableMetadata): SortOrder {
  return md.sortOrders.find((o) => o.orderId === md.defaultSortOrderId) ?? SortOrder.unsorted();
}

export function currentSnapshot(md: TableMetadata): Snapshot | undefined {
  return md.currentSnapshotId === null ? undefined : md.snapshots.find((s) => s.snapshotId === md.currentSnapshotId);
}

export function snapshotById(md: TableMetadata, id: bigint): Snapshot {
  const snapshot = md.snapshots.find((s) => s.snapshotId === id);
  if (!snapshot) throw new NotFoundError(`Table has no snapshot ${id} (it may have expired)`, { snapshotId: id.toString() });
  return snapshot;
}

/**
 * The snapshot that was current at a point in time, from the snapshot log (spec Appendix F "Point
 * in Time Reads"): the last entry at or before the timestamp.
 */
export function snapshotAsOf(md: TableMetadata, timestampMs: number): Snapshot {
  let found: bigint | undefined;
  for (const entry of md.snapshotLog) if (entry.timestampMs <= timestampMs) found = entry.snapshotId;
  if (found === undefined) {
    throw new NotFoundError(`Table has no snapshot at or before ${new Date(timestampMs).toISOString()} (its history starts ${md.snapshotLog[0] ? new Date(md.snapshotLog[0].timestampMs).toISOString() : 'with no snapshot'})`, { timestampMs });
  }
  return snapshotById(md, found);
}

/** The chain of snapshots from `id` back through its parents still in the metadata. */
export function ancestorsOf(md: TableMetadata, id: bigint | null | undefined): Snapshot[] {
  const out: Snapshot[] = [];
  let next = id ?? undefined;
  while (next !== undefined) {
    const s = md.snapshots.find((x) => x.snapshotId === next);
    if (!s) break;
    out.push(s);
    next = s.parentSnapshotId;
  }
  return out;
}

/** A fresh positive 63-bit snapshot id, as the reference implementation derives them from a UUID. */
export function newSnapshotId(): bigint {
  const hex = randomUUID().replaceAll('-', '');
  const id = (BigInt(`0x${hex.slice(0, 16)}`) ^ BigInt(`0x${hex.slice(16)}`)) & 0x7fffffffffffffffn;
  return id === 0n ? 1n : id;
}

export function metadataToJson(md: TableMetadata): string {
  const json: Record<string, unknown> = {
    'format-version': md.formatVersion,
    'table-uuid': md.tableUuid,
    location: md.location,
    'last-sequence-number': md.lastSequenceNumber,
    'last-updated-ms': md.lastUpdatedMs,
    'last-column-id': md.lastColumnId,
    'current-schema-id': md.currentSchemaId,
    schemas: md.schemas.map((s) => s.toJson()),
    'default-spec-id': md.defaultSpecId,
    'partition-specs': md.specs.map((s) => s.toJson()),
    'last-partition-id': md.lastPartitionId,
    'default-sort-order-id': md.defaultSortOrderId,
    'sort-orders': md.sortOrders.map((o) => o.toJson()),
    properties: md.properties,
    ...(md.currentSnapshotId !== null ? { 'current-snapshot-id': md.currentSnapshotId } : {}),
    refs: Object.fromEntries(Object.entries(md.refs).map(([name, ref]) => [name, refToJson(ref)])),
    snapshots: md.snapshots.map(snapshotToJson),
    'snapshot-log': md.snapshotLog.map((e) => ({ 'timestamp-ms': e.timestampMs, 'snapshot-id': e.snapshotId })),
    'metadata-log': md.metadataLog.map((e) => ({ 'timestamp-ms': e.timestampMs, 'metadata-file': e.metadataFile })),
    ...md.extra,
  };
  return stringifyLosslessJson(json, 2);
}

export function snapshotToJson(s: Snapshot): Record<string, unknown> {
  return {
    'snapshot-id': s.snapshotId,
    ...(s.parentSnapshotId !== undefined ? { 'parent-snapshot-id': s.parentSnapshotId } : {}),
    'sequence-number': s.sequenceNumber,
    'timestamp-ms': s.timestampMs,
    'manifest-list': s.manifestList,
    summary: s.summary,
    ...(s.schemaId !== undefined ? { 'schema-id': s.schemaId } : {}),
  };
}

function refToJson(ref: SnapshotRef): Record<string, unknown> {
  return {
    'snapshot-id': ref.snapshotId,
    type: ref.type,
    ...(ref.minSnapshotsToKeep !== undefined ? { 'min-snapshots-to-keep': ref.minSnapshotsToKeep } : {}),
    ...(ref.maxSnapshotAgeMs !== undefined ? { 'max-snapshot-age-ms': ref.maxSnapshotAgeMs } : {}),
    ...(ref.maxRefAgeMs !== undefined ? { 'max-ref-age-ms': ref.maxRefAgeMs } : {}),
  };
}

const KNOWN = new Set([
  'format-version', 'table-uuid', 'location', 'last-sequence-number', 'last-updated-ms', 'last-column-id', 'current-schema-id',
  'schemas', 'schema', 'default-spec-id', 'partition-specs', 'partition-spec', 'last-partition-id', 'default-sort-order-id',
  'sort-orders', 'properties', 'current-snapshot-id', 'refs', 'snapshots', 'snapshot-log', 'metadata-log',
]);

/** Parses a metadata.json; `location` names the file in errors. v1 files are read as v2 would see them. */
export function metadataFromJson(text: string, location: string): TableMetadata {
  let raw: unknown;
  try {
    raw = parseLosslessJson(text);
  } catch (error) {
    throw new InvalidMetadataError(location, `not JSON (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidMetadataError(location, 'not a JSON object');
  const j = raw as Record<string, unknown>;
  try {
    const formatVersion = Number(j['format-version']);
    if (formatVersion !== 1 && formatVersion !== 2) {
      throw new InvalidMetadataError(location, `format-version ${String(j['format-version'])} is not supported (Quarry reads 1 and 2)`);
    }
    for (const key of ['location', 'last-updated-ms', 'last-column-id']) if (j[key] === undefined) throw new InvalidMetadataError(location, `missing ${key}`);
    const schemas = Array.isArray(j.schemas) ? j.schemas.map((s) => Schema.fromJson(s)) : [Schema.fromJson(j.schema)];
    const currentSchemaId = Number(j['current-schema-id'] ?? schemas[0].schemaId);
    const schemaFor = (id: number) => schemas.find((s) => s.schemaId === id) ?? schemas[schemas.length - 1];
    const specs = Array.isArray(j['partition-specs'])
      ? j['partition-specs'].map((s) => PartitionSpec.fromJson(s, undefined))
      : [PartitionSpec.fromJson({ 'spec-id': 0, fields: j['partition-spec'] ?? [] }, undefined)];
    const sortOrders = Array.isArray(j['sort-orders']) ? j['sort-orders'].map((o) => SortOrder.fromJson(o)) : [SortOrder.unsorted()];
    const snapshots = Array.isArray(j.snapshots) ? j.snapshots.map((s) => snapshotFromJson(s as Record<string, unknown>)) : [];
    const current = j['current-snapshot-id'];
    const currentSnapshotId = current === undefined || current === null || toBig(current) === -1n ? null : toBig(current);
    const refs: Record<string, SnapshotRef> = {};
    for (const [name, r] of Object.entries((j.refs as Record<string, Record<string, unknown>>) ?? {})) {
      refs[name] = {
        snapshotId: toBig(r['snapshot-id']),
        type: r.type === 'tag' ? 'tag' : 'branch',
        ...(r['min-snapshots-to-keep'] !== undefined ? { minSnapshotsToKeep: Number(r['min-snapshots-to-keep']) } : {}),
        ...(r['max-snapshot-age-ms'] !== undefined ? { maxSnapshotAgeMs: Number(r['max-snapshot-age-ms']) } : {}),
        ...(r['max-ref-age-ms'] !== undefined ? { maxRefAgeMs: Number(r['max-ref-age-ms']) } : {}),
      };
    }
    if (currentSnapshotId !== null && !refs.main) refs.main = { snapshotId: currentSnapshotId, type: 'branch' };
    for (const spec of specs) spec.validate(schemaFor(currentSchemaId));
    const extra = Object.fromEntries(Object.entries(j).filter(([k]) => !KNOWN.has(k)));
    return {
      formatVersion: 2,
      tableUuid: String(j['table-uuid'] ?? randomUUID()),
      location: String(j.location).replace(/\/+$/, ''),
      lastSequenceNumber: Number(j['last-sequence-number'] ?? 0),
      lastUpdatedMs: Number(j['last-updated-ms']),
      lastColumnId: Number(j['last-column-id']),
      schemas,
      currentSchemaId,
      specs,
      defaultSpecId: Number(j['default-spec-id'] ?? 0),
      lastPartitionId: Number(j['last-partition-id'] ?? Math.max(FIRST_PARTITION_FIELD_ID - 1, ...specs.flatMap((s) => s.fields.map((f) => f.fieldId)))),
      properties: (j.properties as Record<string, string>) ?? {},
      currentSnapshotId,
      snapshots,
      snapshotLog: ((j['snapshot-log'] as Record<string, unknown>[]) ?? []).map((e) => ({ timestampMs: Number(e['timestamp-ms']), snapshotId: toBig(e['snapshot-id']) })),
      metadataLog: ((j['metadata-log'] as Record<string, unknown>[]) ?? []).map((e) => ({ timestampMs: Number(e['timestamp-ms']), metadataFile: String(e['metadata-file']) })),
      sortOrders,
      defaultSortOrderId: Number(j['default-sort-order-id'] ?? 0),
      refs,
      extra,
    };
  } catch (error) {
    if (error instanceof InvalidMetadataError) throw error;
    throw new InvalidMetadataError(location, (error as Error).message);
  }
}

function snapshotFromJson(s: Record<string, unknown>): Snapshot {
  if (typeof s['manifest-list'] !== 'string') throw new Error(`snapshot ${String(s['snapshot-id'])} has no manifest-list (v1 manifest arrays are not supported)`);
  const summary = (s.summary as Record<string, string>) ?? { operation: 'append' };
  return {
    snapshotId: toBig(s['snapshot-id']),
    ...(s['parent-snapshot-id'] !== undefined && s['parent-snapshot-id'] !== null ? { parentSnapshotId: toBig(s['parent-snapshot-id']) } : {}),
    sequenceNumber: Number(s['sequence-number'] ?? 0),
    timestampMs: Number(s['timestamp-ms']),
    manifestList: s['manifest-list'],
    summary: { ...summary, operation: summary.operation ?? 'append' },
    ...(s['schema-id'] !== undefined ? { schemaId: Number(s['schema-id']) } : {}),
  };
}

function toBig(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new Error(`${JSON.stringify(value)} is not a snapshot id`);
}
