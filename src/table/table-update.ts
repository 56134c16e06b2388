import type { Int64 } from './int64.ts';
import type { Schema } from './schema.ts';
import { snapshotToJson, type Snapshot, type SnapshotRef } from './table-metadata.ts';

/** A snapshot as `add-snapshot` carries it (REST spec "Snapshot"). */
export interface SnapshotJson {
  'snapshot-id': Int64;
  'parent-snapshot-id'?: Int64 | null;
  'sequence-number'?: Int64;
  'timestamp-ms': Int64;
  'manifest-list': string;
  summary: Record<string, string> & { operation: string };
  'schema-id'?: number;
}

/** Statistics and partition-statistics file entries are stored as given (lossless JSON). */
export type StatisticsJson = Record<string, unknown> & { 'snapshot-id': Int64 };

/**
 * One change to a table's metadata, Iceberg's MetadataUpdate in the form the REST spec gives it
 * ("TableUpdate"). Every change Quarry makes to a table — a REST commit, a writer's snapshot, schema
 * evolution, snapshot expiry, properties, a new table — is a list of these applied in order by
 * `MetadataBuilder` (metadata-builder.ts), so one change gives the same metadata whichever path made it.
 */
export type TableUpdate =
  | { action: 'assign-uuid'; uuid: string }
  | { action: 'upgrade-format-version'; 'format-version': number }
  | { action: 'add-schema'; schema: unknown; 'last-column-id'?: number }
  | { action: 'set-current-schema'; 'schema-id': number }
  | { action: 'add-spec'; spec: { 'spec-id'?: number; fields: Record<string, unknown>[] } }
  | { action: 'set-default-spec'; 'spec-id': number }
  | { action: 'add-sort-order'; 'sort-order': unknown }
  | { action: 'set-default-sort-order'; 'sort-order-id': number }
  | { action: 'add-snapshot'; snapshot: SnapshotJson }
  | {
      action: 'set-snapshot-ref';
      'ref-name': string;
      type: 'branch' | 'tag';
      'snapshot-id': Int64;
      'max-ref-age-ms'?: Int64;
      'max-snapshot-age-ms'?: Int64;
      'min-snapshots-to-keep'?: number;
    }
  | { action: 'remove-snapshots'; 'snapshot-ids': Int64[] }
  | { action: 'remove-snapshot-ref'; 'ref-name': string }
  | { action: 'set-location'; location: string }
  | { action: 'set-properties'; updates: Record<string, string> }
  | { action: 'remove-properties'; removals: string[] }
  | { action: 'set-statistics'; statistics: StatisticsJson; 'snapshot-id'?: Int64 }
  | { action: 'remove-statistics'; 'snapshot-id': Int64 }
  | { action: 'set-partition-statistics'; 'partition-statistics': StatisticsJson }
  | { action: 'remove-partition-statistics'; 'snapshot-id': Int64 }
  | { action: 'remove-partition-specs'; 'spec-ids': number[] }
  | { action: 'remove-schemas'; 'schema-ids': number[] };

export const UPDATE_ACTIONS = [
  'assign-uuid',
  'upgrade-format-version',
  'add-schema',
  'set-current-schema',
  'add-spec',
  'set-default-spec',
  'add-sort-order',
  'set-default-sort-order',
  'add-snapshot',
  'set-snapshot-ref',
  'remove-snapshots',
  'remove-snapshot-ref',
  'set-location',
  'set-properties',
  'remove-properties',
  'set-statistics',
  'remove-statistics',
  'set-partition-statistics',
  'remove-partition-statistics',
  'remove-partition-specs',
  'remove-schemas',
] as const satisfies readonly TableUpdate['action'][];

// What Quarry's own writers send, built from the objects they hold: the same updates a REST client
// sends for the same change.

/** Adds a schema and makes it current (`-1`: the one just added, or the existing one it equals). */
export function setCurrentSchemaUpdates(schema: Schema, lastColumnId: number): TableUpdate[] {
  return [
    { action: 'add-schema', schema: schema.toJson(), 'last-column-id': lastColumnId },
    { action: 'set-current-schema', 'schema-id': -1 },
  ];
}

/** Adds a snapshot and points a branch at it, keeping the branch's retention settings. */
export function commitSnapshotUpdates(snapshot: Snapshot, branch: string, current: SnapshotRef | undefined): TableUpdate[] {
  return [
    { action: 'add-snapshot', snapshot: snapshotToJson(snapshot) as unknown as SnapshotJson },
    {
      action: 'set-snapshot-ref',
      'ref-name': branch,
      type: 'branch',
      'snapshot-id': snapshot.snapshotId,
      ...(current?.minSnapshotsToKeep !== undefined ? { 'min-snapshots-to-keep': current.minSnapshotsToKeep } : {}),
      ...(current?.maxSnapshotAgeMs !== undefined ? { 'max-snapshot-age-ms': current.maxSnapshotAgeMs } : {}),
      ...(current?.maxRefAgeMs !== undefined ? { 'max-ref-age-ms': current.maxRefAgeMs } : {}),
    },
  ];
}

/** Sets and removes table properties; nothing when there is nothing to change. */
export function propertiesUpdates(updates: Record<string, string>, removals: readonly string[]): TableUpdate[] {
  return [
    ...(Object.keys(updates).length > 0 ? [{ action: 'set-properties' as const, updates: { ...updates } }] : []),
    ...(removals.length > 0 ? [{ action: 'remove-properties' as const, removals: [...removals] }] : []),
  ];
}
