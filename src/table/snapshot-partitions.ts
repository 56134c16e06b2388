import { EntryStatus } from './data-file.ts';
import type { FileIO } from './file-io.ts';
import { readManifest, readManifestList } from './manifest-io.ts';
import type { PartitionSpec, PartitionTuple } from './partition-spec.ts';
import type { Schema } from './schema.ts';
import { schemaById, specById, type Snapshot, type TableMetadata } from './table-metadata.ts';

/** What one snapshot did to partitions: the names of those it added and removed data files in. */
export interface SnapshotPartitionChanges {
  readonly added: string[];
  readonly removed: string[];
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
  const removed = new Set<string>();
  const schema = schemaById(metadata, snapshot.schemaId ?? metadata.currentSchemaId);
  for (const manifest of await readManifestList(io, snapshot.manifestList)) {
    if (manifest.content !== 0 || manifest.addedSnapshotId !== snapshot.snapshotId) continue;
    const spec = specById(metadata, manifest.partitionSpecId);
    for (const entry of await readManifest(io, manifest, spec, schema)) {
      if (entry.snapshotId !== snapshot.snapshotId) continue;
      const name = nameOf(schema, spec, entry.dataFile.partition);
      if (name === undefined) continue;
      if (entry.status === EntryStatus.Added) added.add(name);
      else if (entry.status === EntryStatus.Deleted) removed.add(name);
    }
  }
  return { added: [...added].sort(), removed: [...removed].sort() };
}

/**
 * Which of the named partitions still hold a live data file in the snapshot. Unlike the changes of
 * one snapshot this reads the table's data manifests (stopping once every name is found), so callers
 * ask only about partitions a commit removed files from. Manifests that list only deleted entries
 * are skipped when their counts say so.
 */
export async function partitionsWithData(io: FileIO, metadata: TableMetadata, snapshot: Snapshot, names: ReadonlySet<string>, nameOf: PartitionNamer = folderName): Promise<Set<string>> {
  const live = new Set<string>();
  if (names.size === 0) return live;
  const schema = schemaById(metadata, snapshot.schemaId ?? metadata.currentSchemaId);
  for (const manifest of await readManifestList(io, snapshot.manifestList)) {
    if (manifest.content !== 0) continue;
    // All three counts zero means a writer left them out (optional in v1): read the manifest.
    if (manifest.addedFilesCount + manifest.existingFilesCount === 0 && manifest.deletedFilesCount > 0) continue;
    const spec = specById(metadata, manifest.partitionSpecId);
    for (const entry of await readManifest(io, manifest, spec, schema)) {
      if (entry.status === EntryStatus.Deleted) continue;
      const name = nameOf(schema, spec, entry.dataFile.partition);
      if (name !== undefined && names.has(name)) live.add(name);
    }
    if (live.size === names.size) break;
  }
  return live;
}
