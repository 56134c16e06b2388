import { EntryStatus, type ManifestFile } from './data-file.ts';
import { manifestMightMatch } from './evaluators.ts';
import type { Bound } from './expression.ts';
import type { FileIO } from './file-io.ts';
import { readManifest, readManifestList } from './manifest-io.ts';
import type { PartitionSpec, PartitionTuple } from './partition-spec.ts';
import type { Schema } from './schema.ts';
import { schemaById, specById, type Snapshot, type TableMetadata } from './table-metadata.ts';

/** A partition as a manifest records it: its spec and tuple. */
export interface PartitionRef {
  readonly specId: number;
  readonly partition: PartitionTuple;
}

/** What one snapshot did to partitions: the names of those it added and removed data files in. */
export interface SnapshotPartitionChanges {
  readonly added: string[];
  /** By name, with the tuple of one removed file (for looking the partition up in other manifests). */
  readonly removed: ReadonlyMap<string, PartitionRef>;
}

/**
 * Names a data file's partition; undefined for data in no partition. Callers choose the naming
 * (Iceberg's folder names by default, Metacat's in the catalog).
 */
export type PartitionNamer = (schema: Schema, spec: PartitionSpec, partition: PartitionTuple) => string | undefined;

const folderName: PartitionNamer = (schema, spec, partition) => (spec.fields.length === 0 ? undefined : spec.partitionPath(schema, partition));

/**
 * Reads only the manifests the snapshot itself wrote (`added_snapshot_id`), so the cost follows the
 * size of the change, not of the table. A name appears once however many files it touched.
 */
export async function snapshotPartitionChanges(io: FileIO, metadata: TableMetadata, snapshot: Snapshot, nameOf: PartitionNamer = folderName): Promise<SnapshotPartitionChanges> {
  const added = new Set<string>();
  const removed = new Map<string, PartitionRef>();
  const schema = schemaById(metadata, snapshot.schemaId ?? metadata.currentSchemaId);
  for (const manifest of await readManifestList(io, snapshot.manifestList)) {
    if (manifest.content !== 0 || manifest.addedSnapshotId !== snapshot.snapshotId) continue;
    const spec = specById(metadata, manifest.partitionSpecId);
    for (const entry of await readManifest(io, manifest, spec, schema)) {
      if (entry.snapshotId !== snapshot.snapshotId) continue;
      const name = nameOf(schema, spec, entry.dataFile.partition);
      if (name === undefined) continue;
      if (entry.status === EntryStatus.Added) added.add(name);
      else if (entry.status === EntryStatus.Deleted && !removed.has(name)) removed.set(name, { specId: spec.specId, partition: entry.dataFile.partition });
    }
  }
  return { added: [...added].sort(), removed };
}

/**
 * Which of the given partitions still hold a live data file in the snapshot. Unlike the changes of
 * one snapshot this looks through the table's data manifests (stopping once every name is found), so
 * callers ask only about partitions a commit removed files from. A manifest is skipped when its
 * counts say it lists only deleted entries, or when its partition summaries (value ranges per field)
 * rule out every partition still in question — so a partition emptied by a delete costs the reads
 * of the manifests whose ranges cover it, not of the whole table.
 */
export async function partitionsWithData(
  io: FileIO,
  metadata: TableMetadata,
  snapshot: Snapshot,
  candidates: ReadonlyMap<string, PartitionRef>,
  nameOf: PartitionNamer = folderName,
): Promise<Set<string>> {
  const live = new Set<string>();
  if (candidates.size === 0) return live;
  const schema = schemaById(metadata, snapshot.schemaId ?? metadata.currentSchemaId);
  for (const manifest of await readManifestList(io, snapshot.manifestList)) {
    if (manifest.content !== 0) continue;
    // All three counts zero means a writer left them out (optional in v1): read the manifest.
    if (manifest.addedFilesCount + manifest.existingFilesCount === 0 && manifest.deletedFilesCount > 0) continue;
    const pending = [...candidates].filter(([name]) => !live.has(name)).map(([, ref]) => ref);
    if (!mightHoldAny(manifest, pending, metadata, schema)) continue;
    const spec = specById(metadata, manifest.partitionSpecId);
    for (const entry of await readManifest(io, manifest, spec, schema)) {
      if (entry.status === EntryStatus.Deleted) continue;
      const name = nameOf(schema, spec, entry.dataFile.partition);
      if (name !== undefined && candidates.has(name)) live.add(name);
    }
    if (live.size === candidates.size) break;
  }
  return live;
}

/**
 * Whether the manifest's partition summaries admit any of the tuples. Only tuples of the manifest's
 * own spec can be compared with its summaries; with any other spec among them (after partition
 * evolution two specs can name a partition alike) the manifest must be read.
 */
function mightHoldAny(manifest: ManifestFile, refs: readonly PartitionRef[], metadata: TableMetadata, schema: Schema): boolean {
  if (refs.some((ref) => ref.specId !== manifest.partitionSpecId)) return true;
  let types;
  try {
    types = specById(metadata, manifest.partitionSpecId).fieldTypes(schema).map((t) => t.result);
  } catch {
    return true; // an old spec whose source column the schema dropped: its summaries cannot be typed
  }
  const anyOf: Bound = {
    op: 'or',
    args: refs.map((ref) => ({
      op: 'and',
      args: types.map((type, i): Bound => {
        const value = ref.partition[i] ?? null;
        return value === null ? { op: 'isNull', ref: i, type } : { op: 'eq', ref: i, type, value };
      }),
    })),
  };
  return manifestMightMatch(anyOf, manifest.partitions);
}
