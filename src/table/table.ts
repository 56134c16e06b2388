import { AppendFiles } from './append-files.ts';
import type { DataFile } from './data-file.ts';
import { ExpireSnapshots } from './expire-snapshots.ts';
import { readManifest, readManifestList } from './manifest-io.ts';
import { OverwriteFiles } from './overwrite-files.ts';
import { RewriteManifests } from './rewrite-manifests.ts';
import { RowDelta } from './row-delta.ts';
import { SchemaUpdate } from './schema-update.ts';
import { EntryStatus } from './data-file.ts';
import { TableScan } from './table-scan.ts';
import { commitTableUpdates } from './commit-retry.ts';
import { propertiesUpdates } from './table-update.ts';
import {
  ancestorsOf,
  currentSchema,
  currentSnapshot,
  defaultSortOrder,
  defaultSpec,
  schemaById,
  specById,
  type Snapshot,
  type TableMetadata,
} from './table-metadata.ts';
import type { TableOperations, TableState } from './table-operations.ts';

/**
 * An Iceberg table: its current metadata and the operations that change it. Every change is
 * committed through the table's TableOperations (a pointer swap), and then this object reflects it.
 */
export class Table {
  constructor(readonly ops: TableOperations) {}

  get name(): string {
    return this.ops.name;
  }
  get io() {
    return this.ops.io;
  }
  state(): TableState {
    return this.ops.current();
  }
  metadata(): TableMetadata {
    return this.ops.current().metadata;
  }
  metadataLocation(): string {
    return this.ops.current().metadataLocation;
  }
  async refresh(): Promise<this> {
    await this.ops.refresh();
    return this;
  }
  schema() {
    return currentSchema(this.metadata());
  }
  spec() {
    return defaultSpec(this.metadata());
  }
  sortOrder() {
    return defaultSortOrder(this.metadata());
  }
  location(): string {
    return this.metadata().location;
  }
  currentSnapshot(): Snapshot | undefined {
    return currentSnapshot(this.metadata());
  }
  /** Snapshots of the main branch, oldest first. */
  history(): Snapshot[] {
    return ancestorsOf(this.metadata(), this.metadata().currentSnapshotId).reverse();
  }

  newScan(): TableScan {
    return new TableScan(this.io, this.metadata());
  }
  newAppend(): AppendFiles {
    return new AppendFiles(this.ops);
  }
  /** Overwrite: delete by filter or by file, add files; fails on conflicting concurrent appends. */
  newOverwrite(): OverwriteFiles {
    return new OverwriteFiles(this.ops, { validateNoConflictingAppends: true });
  }
  /**
   * Delete by filter, partition or file; re-applies on a new base. The operation is "delete", or
   * "overwrite" when files are added too (a copy-on-write rewrite).
   */
  newDelete(): OverwriteFiles {
    return new OverwriteFiles(this.ops, { validateNoConflictingAppends: false });
  }
  /** Replace files with others holding the same rows (compaction): operation "replace". */
  newRewrite(): OverwriteFiles {
    return new OverwriteFiles(this.ops, { operation: 'replace', validateNoConflictingAppends: false });
  }
  /** Add row-level delete files (merge-on-read deletes), and data files with them. */
  newRowDelta(): RowDelta {
    return new RowDelta(this.ops);
  }
  /** Rewrite the manifests into few of the target size (operation "replace"; data unchanged). */
  rewriteManifests(): RewriteManifests {
    return new RewriteManifests(this.ops);
  }
  updateSchema(): SchemaUpdate {
    return new SchemaUpdate(this.ops);
  }
  expireSnapshots(): ExpireSnapshots {
    return new ExpireSnapshots(this.ops);
  }

  /** Sets and removes table properties. */
  updateProperties(updates: Record<string, string>, removals: readonly string[] = []): Promise<TableState> {
    return commitTableUpdates(this.ops, () => propertiesUpdates(updates, removals));
  }

  /** Every live data file of a snapshot (the current one by default), with its spec id. */
  async dataFiles(snapshotId?: bigint): Promise<DataFile[]> {
    const plan = await (snapshotId === undefined ? this.newScan() : this.newScan().useSnapshot(snapshotId)).planFiles();
    return plan.files;
  }

  /**
   * Partitions of the current snapshot from the manifests: per spec and partition tuple, file and
   * row counts, bytes, and the snapshot that last added a file to it.
   */
  async partitions(): Promise<PartitionInfo[]> {
    const md = this.metadata();
    const snapshot = currentSnapshot(md);
    if (!snapshot) return [];
    const byKey = new Map<string, PartitionInfo>();
    for (const manifest of await readManifestList(this.io, snapshot.manifestList)) {
      if (manifest.content !== 0) continue;
      const spec = specById(md, manifest.partitionSpecId);
      for (const e of await readManifest(this.io, manifest, spec, schemaById(md, md.currentSchemaId))) {
        if (e.status === EntryStatus.Deleted) continue;
        const path = spec.partitionPath(currentSchema(md), e.dataFile.partition);
        const key = `${spec.specId}/${path}`;
        const info = byKey.get(key) ?? { specId: spec.specId, path, partition: e.dataFile.partition, files: 0, records: 0, bytes: 0, lastAddedSnapshotId: e.snapshotId };
        info.files++;
        info.records += e.dataFile.recordCount;
        info.bytes += e.dataFile.fileSizeInBytes;
        const added = md.snapshots.find((s) => s.snapshotId === e.snapshotId);
        const last = md.snapshots.find((s) => s.snapshotId === info.lastAddedSnapshotId);
        if (added && (!last || added.timestampMs > last.timestampMs)) info.lastAddedSnapshotId = e.snapshotId;
        byKey.set(key, info);
      }
    }
    return [...byKey.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

export interface PartitionInfo {
  specId: number;
  /** `name=value/…`, the partition's human form. */
  path: string;
  partition: DataFile['partition'];
  files: number;
  records: number;
  bytes: number;
  lastAddedSnapshotId: bigint;
}
