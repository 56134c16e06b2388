import { commitWithRetry } from './commit-retry.ts';
import { readManifest, readManifestList } from './manifest-io.ts';
import { applyTableUpdates } from './metadata-builder.ts';
import { ancestorsOf, schemaById, specById, type Snapshot, type TableMetadata } from './table-metadata.ts';
import type { TableOperations, TableState } from './table-operations.ts';

export interface ExpireResult {
  state: TableState;
  expiredSnapshotIds: bigint[];
  deletedDataFiles: number;
  deletedManifests: number;
  deletedManifestLists: number;
}

/**
 * Removes snapshots older than a time (keeping at least the newest N of the main branch and
 * everything a ref points at), commits the smaller metadata, then deletes the files only expired
 * snapshots reached: their manifest lists, manifests no kept snapshot lists, and data files no kept
 * manifest lists. Files are deleted only after the commit succeeded.
 */
export class ExpireSnapshots {
  private olderThanMs = Date.now() - 5 * 24 * 3600 * 1000;
  private retainLast = 1;
  private readonly ids = new Set<bigint>();

  constructor(private readonly ops: TableOperations) {}

  expireOlderThan(timestampMs: number): this {
    this.olderThanMs = timestampMs;
    return this;
  }
  retain(count: number): this {
    this.retainLast = Math.max(1, count);
    return this;
  }
  expireSnapshotId(id: bigint): this {
    this.ids.add(id);
    return this;
  }

  private keep(md: TableMetadata): Set<bigint> {
    const keep = new Set<bigint>();
    for (const ref of Object.values(md.refs)) keep.add(ref.snapshotId);
    if (md.currentSnapshotId !== null) keep.add(md.currentSnapshotId);
    const main = ancestorsOf(md, md.currentSnapshotId);
    main.forEach((s, i) => {
      if (i < this.retainLast || (s.timestampMs >= this.olderThanMs && !this.ids.has(s.snapshotId))) keep.add(s.snapshotId);
    });
    for (const s of md.snapshots) if (!main.includes(s) && s.timestampMs >= this.olderThanMs && !this.ids.has(s.snapshotId)) keep.add(s.snapshotId);
    return keep;
  }

  /**
   * Commits `remove-snapshots` (the builder also trims the snapshot log to the entries after the
   * last expired one, spec "Table Metadata Fields"), then deletes what only expired snapshots reached.
   */
  async commit(): Promise<ExpireResult> {
    const done = await commitWithRetry(this.ops, async (base) => {
      const keep = this.keep(base.metadata);
      const expired = base.metadata.snapshots.filter((s) => !keep.has(s.snapshotId));
      if (expired.length === 0) return { state: base, base, expired };
      const next = applyTableUpdates(base.metadata, [{ action: 'remove-snapshots', 'snapshot-ids': expired.map((s) => s.snapshotId) }]);
      return { state: await this.ops.commit(base, next), base, expired };
    });
    const { state, base, expired } = done;
    if (expired.length === 0) return { state, expiredSnapshotIds: [], deletedDataFiles: 0, deletedManifests: 0, deletedManifestLists: 0 };
    const kept = base.metadata.snapshots.filter((s) => !expired.includes(s));
    return { state, expiredSnapshotIds: expired.map((s) => s.snapshotId), ...(await this.deleteUnreachable(base.metadata, expired, kept)) };
  }

  private async deleteUnreachable(md: TableMetadata, expired: readonly Snapshot[], kept: readonly Snapshot[]) {
    const io = this.ops.io;
    const keptManifests = new Map<string, Awaited<ReturnType<typeof readManifestList>>[number]>();
    for (const s of kept) for (const m of await readManifestList(io, s.manifestList)) keptManifests.set(m.manifestPath, m);
    const keptFiles = new Set<string>();
    for (const m of keptManifests.values()) {
      for (const e of await readManifest(io, m, specById(md, m.partitionSpecId), schemaById(md, md.currentSchemaId))) keptFiles.add(e.dataFile.filePath);
    }
    const goneManifests = new Map<string, Awaited<ReturnType<typeof readManifestList>>[number]>();
    for (const s of expired) {
      for (const m of await readManifestList(io, s.manifestList).catch(() => [])) if (!keptManifests.has(m.manifestPath)) goneManifests.set(m.manifestPath, m);
    }
    const goneFiles = new Set<string>();
    for (const m of goneManifests.values()) {
      for (const e of await readManifest(io, m, specById(md, m.partitionSpecId), schemaById(md, md.currentSchemaId)).catch(() => [])) {
        if (!keptFiles.has(e.dataFile.filePath)) goneFiles.add(e.dataFile.filePath);
      }
    }
    for (const f of goneFiles) await io.delete(f);
    for (const m of goneManifests.keys()) await io.delete(m);
    for (const s of expired) await io.delete(s.manifestList);
    return { deletedDataFiles: goneFiles.size, deletedManifests: goneManifests.size, deletedManifestLists: expired.length };
  }
}
