import { randomUUID } from 'node:crypto';
import { CommitFailedError, CommitStateUnknownError } from './table-errors.ts';
import { backoff, retryPolicy } from './commit-retry.ts';
import { EntryStatus, type DataFile, type ManifestEntry, type ManifestFile } from './data-file.ts';
import { readManifest, readManifestList, writeManifest, writeManifestList } from './manifest-io.ts';
import { currentSchema, currentSnapshot, schemaById, specById, newSnapshotId, type Operation, type Snapshot, type TableMetadata } from './table-metadata.ts';
import type { TableOperations, TableState } from './table-operations.ts';

export interface CommitResult {
  snapshot: Snapshot;
  state: TableState;
  /** Attempts it took, 1 when the first swap won. */
  attempts: number;
}

export interface Changes {
  manifests: ManifestFile[];
  added: readonly DataFile[];
  deleted: readonly DataFile[];
}

/**
 * The commit loop every data change shares (Iceberg's SnapshotProducer): build the new snapshot on
 * the current base, swap the pointer, and on a lost race rebuild on the new base and try again.
 * The snapshot id is fixed for the operation, so manifests of added files are written once and reused
 * across attempts; only the manifest list and metadata file are rewritten per attempt.
 * Files written for attempts that did not commit are deleted, except after CommitStateUnknownError.
 */
export abstract class SnapshotProducer {
  readonly snapshotId = newSnapshotId();
  private readonly written = new Set<string>();
  private readonly summaryProperties: Record<string, string> = {};

  constructor(protected readonly ops: TableOperations) {}

  protected abstract operation(changes: Changes): Operation;

  /** The manifests of the new snapshot built on `base`; throws CommitConflictError if the change no longer applies. */
  protected abstract apply(base: TableMetadata, baseManifests: readonly ManifestFile[]): Promise<Changes>;

  /** Extra snapshot summary entries (engine-name, a source id, …). */
  set(key: string, value: string): this {
    this.summaryProperties[key] = value;
    return this;
  }

  async commit(): Promise<CommitResult> {
    let base = this.ops.current();
    const policy = retryPolicy(base.metadata);
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) base = await this.ops.refresh();
      const baseSnapshot = currentSnapshot(base.metadata);
      const baseManifests = baseSnapshot ? await readManifestList(this.ops.io, baseSnapshot.manifestList) : [];
      let listUri: string | undefined;
      try {
        const changes = await this.apply(base.metadata, baseManifests);
        const sequenceNumber = base.metadata.lastSequenceNumber + 1;
        listUri = `${metadataDir(base.metadata)}/snap-${this.snapshotId}-${attempt + 1}-${randomUUID()}.avro`;
        const manifests = await writeManifestList(this.ops.io, listUri, {
          snapshotId: this.snapshotId,
          parentSnapshotId: baseSnapshot?.snapshotId,
          sequenceNumber,
          manifests: changes.manifests,
        });
        const now = Math.max(Date.now(), base.metadata.lastUpdatedMs + 1);
        const snapshot: Snapshot = {
          snapshotId: this.snapshotId,
          ...(baseSnapshot ? { parentSnapshotId: baseSnapshot.snapshotId } : {}),
          sequenceNumber,
          timestampMs: now,
          manifestList: listUri,
          summary: { ...this.summary(changes, baseSnapshot, manifests), ...this.summaryProperties, operation: this.operation(changes) },
          schemaId: base.metadata.currentSchemaId,
        };
        const next: TableMetadata = {
          ...base.metadata,
          lastSequenceNumber: sequenceNumber,
          lastUpdatedMs: now,
          currentSnapshotId: this.snapshotId,
          snapshots: [...base.metadata.snapshots, snapshot],
          snapshotLog: [...base.metadata.snapshotLog, { timestampMs: now, snapshotId: this.snapshotId }],
          refs: { ...base.metadata.refs, main: { ...(base.metadata.refs.main ?? { type: 'branch' }), snapshotId: this.snapshotId, type: 'branch' } },
        };
        const state = await this.ops.commit(base, next);
        await this.cleanUp(new Set(manifests.map((m) => m.manifestPath)));
        return { snapshot, state, attempts: attempt + 1 };
      } catch (error) {
        if (error instanceof CommitStateUnknownError) throw error;
        if (listUri) await this.ops.io.delete(listUri).catch(() => undefined);
        if (error instanceof CommitFailedError && attempt < policy.retries) {
          await backoff(policy, attempt);
          continue;
        }
        await this.cleanUp(new Set());
        throw error;
      }
    }
  }

  /** Writes a manifest for this operation's snapshot, remembered for clean-up. */
  protected async writeManifest(base: TableMetadata, specId: number, entries: Parameters<typeof writeManifest>[2]['entries']): Promise<ManifestFile> {
    const uri = `${metadataDir(base)}/${randomUUID()}-m${this.written.size}.avro`;
    this.written.add(uri);
    return writeManifest(this.ops.io, uri, { spec: specById(base, specId), schema: currentSchema(base), snapshotId: this.snapshotId, entries });
  }

  /** One manifest per partition spec holding `files` as ADDED entries of this snapshot. */
  protected async manifestsForAdded(base: TableMetadata, files: readonly DataFile[]): Promise<ManifestFile[]> {
    const bySpec = new Map<number, DataFile[]>();
    for (const f of files) bySpec.set(f.specId, [...(bySpec.get(f.specId) ?? []), f]);
    const out: ManifestFile[] = [];
    for (const [specId, group] of bySpec) {
      out.push(await this.writeManifest(base, specId, group.map((dataFile) => ({ status: EntryStatus.Added, snapshotId: this.snapshotId, sequenceNumber: null, fileSequenceNumber: null, dataFile }))));
    }
    return out;
  }

  private async cleanUp(committed: Set<string>): Promise<void> {
    for (const uri of this.written) {
      if (!committed.has(uri)) await this.ops.io.delete(uri).catch(() => undefined);
    }
  }

  private summary(changes: Changes, parent: Snapshot | undefined, manifests: readonly ManifestFile[]): Record<string, string> {
    const sum = (files: readonly DataFile[], f: (d: DataFile) => number) => files.reduce((n, d) => n + f(d), 0);
    const parentTotal = (key: string) => Number(parent?.summary[key] ?? 0);
    const partitions = new Set([...changes.added, ...changes.deleted].map((f) => `${f.specId}:${JSON.stringify(f.partition, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`));
    const out: Record<string, string> = {};
    if (changes.added.length > 0) {
      out['added-data-files'] = String(changes.added.length);
      out['added-records'] = String(sum(changes.added, (d) => d.recordCount));
      out['added-files-size'] = String(sum(changes.added, (d) => d.fileSizeInBytes));
    }
    if (changes.deleted.length > 0) {
      out['deleted-data-files'] = String(changes.deleted.length);
      out['deleted-records'] = String(sum(changes.deleted, (d) => d.recordCount));
      out['removed-files-size'] = String(sum(changes.deleted, (d) => d.fileSizeInBytes));
    }
    out['changed-partition-count'] = String(partitions.size);
    // Totals from the manifest list's counts, which are exact, rather than trusting the parent summary.
    const data = manifests.filter((m) => m.content === 0);
    out['total-records'] = String(data.reduce((n, m) => n + m.addedRowsCount + m.existingRowsCount, 0));
    out['total-data-files'] = String(data.reduce((n, m) => n + m.addedFilesCount + m.existingFilesCount, 0));
    out['total-files-size'] = String(Math.max(0, parentTotal('total-files-size') + sum(changes.added, (d) => d.fileSizeInBytes) - sum(changes.deleted, (d) => d.fileSizeInBytes)));
    out['total-delete-files'] = '0';
    out['total-position-deletes'] = '0';
    out['total-equality-deletes'] = '0';
    return out;
  }
}

export function metadataDir(md: TableMetadata): string {
  return md.properties['write.metadata.path'] ?? `${md.location}/metadata`;
}

/** Live entries of a manifest, with the schema its spec is read under. */
export async function liveEntries(ops: TableOperations, md: TableMetadata, manifest: ManifestFile): Promise<ManifestEntry[]> {
  const entries = await readManifest(ops.io, manifest, specById(md, manifest.partitionSpecId), schemaById(md, md.currentSchemaId));
  return entries.filter((e) => e.status !== EntryStatus.Deleted);
}
