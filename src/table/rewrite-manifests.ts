import { EntryStatus, type ManifestEntry, type ManifestFile } from './data-file.ts';
import type { EntryToWrite } from './manifest-io.ts';
import { manifestMergePolicy } from './manifest-merge.ts';
import { liveEntries, SnapshotProducer, type Changes } from './snapshot-producer.ts';
import type { Operation, TableMetadata } from './table-metadata.ts';

/**
 * Rewrites the current snapshot's manifests into as few as fit `commit.manifest.target-size-bytes`
 * each, per content and partition spec, in a "replace" snapshot: no data changes. Every live entry
 * is carried over as EXISTING with its snapshot id and sequence numbers; entries of files deleted in
 * earlier snapshots are dropped. On a lost race it is redone on the new base, so it never conflicts.
 */
export class RewriteManifests extends SnapshotProducer {
  protected override readonly mergesManifests = false;
  private targetSizeBytes: number | undefined;

  /** Overrides the table's `commit.manifest.target-size-bytes` for this rewrite. */
  targetSize(bytes: number): this {
    this.targetSizeBytes = bytes;
    return this;
  }

  protected operation(): Operation {
    return 'replace';
  }

  protected async apply(base: TableMetadata, baseManifests: readonly ManifestFile[]): Promise<Changes> {
    const target = this.targetSizeBytes ?? manifestMergePolicy(base).targetSizeBytes;
    const groups = new Map<string, ManifestFile[]>();
    for (const m of baseManifests) groups.set(`${m.content}:${m.partitionSpecId}`, [...(groups.get(`${m.content}:${m.partitionSpecId}`) ?? []), m]);
    const manifests: ManifestFile[] = [];
    let created = 0;
    let replaced = 0;
    let kept = 0;
    let processed = 0;
    for (const group of groups.values()) {
      if (group.length === 1 && group[0].deletedFilesCount === 0) {
        manifests.push(group[0]);
        kept++;
        continue;
      }
      const entries: ManifestEntry[] = [];
      for (const m of group) entries.push(...(await liveEntries(this.ops, base, m)));
      processed += entries.length;
      replaced += group.length;
      if (entries.length === 0) continue;
      // Entries per manifest from the sizes of the manifests read: a manifest's bytes grow with its entries.
      const bytesPerEntry = group.reduce((n, m) => n + m.manifestLength, 0) / Math.max(1, group.reduce((n, m) => n + m.addedFilesCount + m.existingFilesCount + m.deletedFilesCount, 0));
      const perManifest = Math.max(1, Math.floor(target / Math.max(1, bytesPerEntry)));
      for (let i = 0; i < entries.length; i += perManifest) {
        const chunk: EntryToWrite[] = entries.slice(i, i + perManifest).map((e) => ({
          status: EntryStatus.Existing,
          snapshotId: e.snapshotId,
          sequenceNumber: e.sequenceNumber,
          fileSequenceNumber: e.fileSequenceNumber,
          dataFile: e.dataFile,
        }));
        manifests.push(await this.writeManifest(base, group[0].partitionSpecId, chunk));
        created++;
      }
    }
    this.set('manifests-created', String(created)).set('manifests-replaced', String(replaced)).set('manifests-kept', String(kept)).set('entries-processed', String(processed));
    return { manifests, added: [], deleted: [] };
  }
}
