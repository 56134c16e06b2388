import { EntryStatus } from './data-file.ts';
import type { FileIO } from './file-io.ts';
import { readManifest, readManifestList } from './manifest-io.ts';
import { schemaById, specById, type Snapshot, type TableMetadata } from './table-metadata.ts';

/** What one snapshot did to partitions: the paths (`name=value/…`) it added and removed data files in. */
export interface SnapshotPartitionChanges {
  readonly added: string[];
  readonly removed: string[];
}

/**
 * Reads only the manifests the snapshot itself wrote (`added_snapshot_id`), so the cost follows the
 * size of the change, not of the table. A path appears once however many files it touched.
 */
export async function snapshotPartitionChanges(io: FileIO, metadata: TableMetadata, snapshot: Snapshot): Promise<SnapshotPartitionChanges> {
  const added = new Set<string>();
  const removed = new Set<string>();
  const schema = schemaById(metadata, snapshot.schemaId ?? metadata.currentSchemaId);
  for (const manifest of await readManifestList(io, snapshot.manifestList)) {
    if (manifest.content !== 0 || manifest.addedSnapshotId !== snapshot.snapshotId) continue;
    const spec = specById(metadata, manifest.partitionSpecId);
    for (const entry of await readManifest(io, manifest, spec, schema)) {
      if (entry.snapshotId !== snapshot.snapshotId) continue;
      const path = spec.partitionPath(schema, entry.dataFile.partition);
      if (entry.status === EntryStatus.Added) added.add(path);
      else if (entry.status === EntryStatus.Deleted) removed.add(path);
    }
  }
  return { added: [...added].sort(), removed: [...removed].sort() };
}
