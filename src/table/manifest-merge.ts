import { EntryStatus, type ManifestEntry, type ManifestFile } from './data-file.ts';
import type { EntryToWrite } from './manifest-io.ts';
import type { TableMetadata } from './table-metadata.ts';

/** When commits merge manifests (Iceberg's table properties and defaults). */
export interface ManifestMergePolicy {
  /** `commit.manifest-merge.enabled`, default true. */
  enabled: boolean;
  /** `commit.manifest.min-count-to-merge`, default 100. */
  minCountToMerge: number;
  /** `commit.manifest.target-size-bytes`, default 8 MiB. */
  targetSizeBytes: number;
}

export function manifestMergePolicy(md: TableMetadata): ManifestMergePolicy {
  const num = (key: string, fallback: number, min: number) => {
    const v = Number(md.properties[key]);
    return md.properties[key] !== undefined && Number.isFinite(v) && v >= min ? v : fallback;
  };
  return {
    enabled: (md.properties['commit.manifest-merge.enabled'] ?? 'true').toLowerCase() !== 'false',
    minCountToMerge: num('commit.manifest.min-count-to-merge', 100, 0),
    targetSizeBytes: num('commit.manifest.target-size-bytes', 8 * 1024 * 1024, 1),
  };
}

export interface MergeIo {
  read(manifest: ManifestFile): Promise<ManifestEntry[]>;
  write(specId: number, entries: EntryToWrite[]): Promise<ManifestFile>;
}

/**
 * Iceberg's manifest merge on commit (ManifestMergeManager): manifests are grouped by content and
 * partition spec, newest first; each group is packed into bins of the target size from its oldest
 * end, so the bin holding the newest manifests is the one left small. A bin of one manifest is kept
 * as it is; the bin holding the group's newest manifest is merged only once it has at least
 * `minCountToMerge` manifests; every other bin is merged into one new manifest.
 */
export async function mergeManifests(manifests: readonly ManifestFile[], policy: ManifestMergePolicy, snapshotId: bigint, io: MergeIo): Promise<ManifestFile[]> {
  if (!policy.enabled || manifests.length <= 1) return [...manifests];
  const groups = new Map<string, ManifestFile[]>();
  for (const m of manifests) {
    const key = `${m.content}:${m.partitionSpecId}`;
    const group = groups.get(key);
    if (group) group.push(m);
    else groups.set(key, [m]);
  }
  // Data manifests before delete manifests, higher spec ids first, as the reference implementation orders them.
  const keys = [...groups.keys()].sort((a, b) => {
    const [ca, sa] = a.split(':').map(Number);
    const [cb, sb] = b.split(':').map(Number);
    return ca - cb || sb - sa;
  });
  const out: ManifestFile[] = [];
  for (const key of keys) {
    const group = groups.get(key)!;
    for (const bin of packEnd(group, policy.targetSizeBytes, (m) => m.manifestLength)) {
      if (bin.length === 1 || (bin.includes(group[0]) && bin.length < policy.minCountToMerge)) {
        out.push(...bin);
        continue;
      }
      const entries: EntryToWrite[] = [];
      for (const manifest of bin) for (const e of await io.read(manifest)) {
        const entry = carriedEntry(e, snapshotId);
        if (entry) entries.push(entry);
      }
      out.push(await io.write(group[0].partitionSpecId, entries));
    }
  }
  return out;
}

/**
 * How an entry is carried into a merged manifest: files added by the committing snapshot stay
 * ADDED (their sequence numbers are still to be inherited); deletes by the committing snapshot stay
 * DELETED; deletes recorded by older snapshots are dropped; everything else becomes EXISTING with
 * its snapshot id and sequence numbers kept.
 */
export function carriedEntry(e: ManifestEntry, snapshotId: bigint): EntryToWrite | undefined {
  const own = e.snapshotId === snapshotId;
  if (e.status === EntryStatus.Deleted) {
    return own ? { status: EntryStatus.Deleted, snapshotId, sequenceNumber: e.sequenceNumber, fileSequenceNumber: e.fileSequenceNumber, dataFile: e.dataFile } : undefined;
  }
  if (e.status === EntryStatus.Added && own) return { status: EntryStatus.Added, snapshotId, sequenceNumber: null, fileSequenceNumber: null, dataFile: e.dataFile };
  return { status: EntryStatus.Existing, snapshotId: e.snapshotId, sequenceNumber: e.sequenceNumber, fileSequenceNumber: e.fileSequenceNumber, dataFile: e.dataFile };
}

/**
 * Packs items into bins of at most `target` weight (an item heavier than that gets a bin alone),
 * filling from the end so that only the first bin may be under-filled; order is kept.
 */
export function packEnd<T>(items: readonly T[], target: number, weight: (item: T) => number): T[][] {
  const bins: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (let i = items.length - 1; i >= 0; i--) {
    const w = weight(items[i]);
    if (current.length > 0 && size + w > target) {
      bins.push(current.reverse());
      current = [];
      size = 0;
    }
    current.push(items[i]);
    size += w;
  }
  if (current.length > 0) bins.push(current.reverse());
  return bins.reverse();
}
