import { randomUUID } from 'node:crypto';
import { partitionKey } from './partition-key.ts';
import { CommitStateUnknownError } from './table-errors.ts';
import { commitWithRetry } from './commit-retry.ts';
import { EntryStatus, FileContent, type DataFile, type ManifestEntry, type ManifestFile } from './data-file.ts';
import { manifestMergePolicy, mergeManifests } from './manifest-merge.ts';
import { readManifest, readManifestList, writeManifest, writeManifestList } from './manifest-io.ts';
import { applyTableUpdates } from './metadata-builder.ts';
import { currentSchema, currentSnapshot, nextLastUpdatedMs, schemaById, specById, newSnapshotId, type Operation, type Snapshot, type TableMetadata } from './table-metadata.ts';
import type { TableOperations, TableState } from './table-operations.ts';
import { commitSnapshotUpdates } from './table-update.ts';

export interface CommitResult {
  snapshot: Snapshot;
  state: TableState;
  /** Attempts it took, 1 when the first swap won. */
  attempts: number;
}

export interface Changes {
  manifests: ManifestFile[];
  /** Data files added and removed. */
  added: readonly DataFile[];
  deleted: readonly DataFile[];
  /** Delete files (row-level deletes) added, and removed (dangling once their data file went). */
  addedDeletes?: readonly DataFile[];
  removedDeletes?: readonly DataFile[];
}

/**
 * The commit loop every data change shares (Iceberg's SnapshotProducer): build the new snapshot on
 * the current base, swap the pointer, and on a lost race rebuild on the new base and try again.
 * The snapshot id is fixed for the operation, so manifests of added files are written once and reused
 * across attempts; only the manifest list and metadata file are rewritten per attempt.
 * Files written for attempts that did not commit are deleted, except after CommitStateUnknownError.
 * Before the manifest list is written, manifests are merged as the table's commit.manifest.*
 * properties ask (manifest-merge.ts), unless the operation manages its manifests itself.
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
    try {
      return await commitWithRetry(this.ops, (base, attempt) => this.attempt(base, attempt));
    } catch (error) {
      if (!(error instanceof CommitStateUnknownError)) await this.cleanUp(new Set());
      throw error;
    }
  }

  /** One attempt on `base`: the manifest list of this attempt is deleted again unless the swap may have happened. */
  private async attempt(base: TableState, attempt: number): Promise<CommitResult> {
    const baseSnapshot = currentSnapshot(base.metadata);
    const baseManifests = baseSnapshot ? await readManifestList(this.ops.io, baseSnapshot.manifestList) : [];
    let listUri: string | undefined;
    try {
      const changes = await this.apply(base.metadata, baseManifests);
      if (this.mergesManifests) changes.manifests = await this.merge(base.metadata, changes.manifests);
      const sequenceNumber = base.metadata.lastSequenceNumber + 1;
      listUri = `${metadataDir(base.metadata)}/snap-${this.snapshotId}-${attempt + 1}-${randomUUID()}.avro`;
      const manifests = await writeManifestList(this.ops.io, listUri, {
        snapshotId: this.snapshotId,
        parentSnapshotId: baseSnapshot?.snapshotId,
        sequenceNumber,
        manifests: changes.manifests,
      });
      const snapshot: Snapshot = {
        snapshotId: this.snapshotId,
        ...(baseSnapshot ? { parentSnapshotId: baseSnapshot.snapshotId } : {}),
        sequenceNumber,
        timestampMs: nextLastUpdatedMs(base.metadata),
        manifestList: listUri,
        summary: { ...this.summary(changes, baseSnapshot, manifests), ...this.summaryProperties, operation: this.operation(changes) },
        schemaId: base.metadata.currentSchemaId,
      };
      const state = await this.ops.commit(base, applyTableUpdates(base.metadata, commitSnapshotUpdates(snapshot, 'main', base.metadata.refs.main)));
      await this.cleanUp(new Set(manifests.map((m) => m.manifestPath)));
      return { snapshot, state, attempts: attempt + 1 };
    } catch (error) {
      if (listUri && !(error instanceof CommitStateUnknownError)) await this.ops.io.delete(listUri).catch(() => undefined);
      throw error;
    }
  }

  /** Whether commits merge small manifests (false for operations that lay out manifests themselves). */
  protected readonly mergesManifests: boolean = true;

  private merge(base: TableMetadata, manifests: ManifestFile[]): Promise<ManifestFile[]> {
    const schema = currentSchema(base);
    return mergeManifests(manifests, manifestMergePolicy(base), this.snapshotId, {
      read: (m) => readManifest(this.ops.io, m, specById(base, m.partitionSpecId), schema),
      write: (specId, entries) => this.writeManifest(base, specId, entries),
    });
  }

  /** Writes a manifest for this operation's snapshot, remembered for clean-up. */
  protected async writeManifest(base: TableMetadata, specId: number, entries: Parameters<typeof writeManifest>[2]['entries']): Promise<ManifestFile> {
    const uri = `${metadataDir(base)}/${randomUUID()}-m${this.written.size}.avro`;
    this.written.add(uri);
    return writeManifest(this.ops.io, uri, { spec: specById(base, specId), schema: currentSchema(base), snapshotId: this.snapshotId, entries });
  }

  /** One manifest per partition spec (and per data/delete content) holding `files` as ADDED entries of this snapshot. */
  protected async manifestsForAdded(base: TableMetadata, files: readonly DataFile[]): Promise<ManifestFile[]> {
    const groups = new Map<string, DataFile[]>();
    for (const f of files) {
      const key = `${f.content === FileContent.Data ? 0 : 1}:${f.specId}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    const out: ManifestFile[] = [];
    for (const group of groups.values()) {
      out.push(await this.writeManifest(base, group[0].specId, group.map((dataFile) => ({ status: EntryStatus.Added, snapshotId: this.snapshotId, sequenceNumber: null, fileSequenceNumber: null, dataFile }))));
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
    const addedDeletes = changes.addedDeletes ?? [];
    const removedDeletes = changes.removedDeletes ?? [];
    const partitions = new Set([...changes.added, ...changes.deleted, ...addedDeletes, ...removedDeletes].map((f) => partitionKey(f.specId, f.partition)));
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
    const added = deleteFileSummary('added', addedDeletes, out);
    const removed = deleteFileSummary('removed', removedDeletes, out);
    out['changed-partition-count'] = String(partitions.size);
    // Totals from the manifest list's counts, which are exact, rather than trusting the parent summary.
    const data = manifests.filter((m) => m.content === 0);
    out['total-records'] = String(data.reduce((n, m) => n + m.addedRowsCount + m.existingRowsCount, 0));
    out['total-data-files'] = String(data.reduce((n, m) => n + m.addedFilesCount + m.existingFilesCount, 0));
    const addedBytes = sum(changes.added, (d) => d.fileSizeInBytes) + sum(addedDeletes, (d) => d.fileSizeInBytes);
    const removedBytes = sum(changes.deleted, (d) => d.fileSizeInBytes) + sum(removedDeletes, (d) => d.fileSizeInBytes);
    out['total-files-size'] = String(Math.max(0, parentTotal('total-files-size') + addedBytes - removedBytes));
    const deletes = manifests.filter((m) => m.content === 1);
    out['total-delete-files'] = String(deletes.reduce((n, m) => n + m.addedFilesCount + m.existingFilesCount, 0));
    out['total-position-deletes'] = String(Math.max(0, parentTotal('total-position-deletes') + added.position - removed.position));
    out['total-equality-deletes'] = String(Math.max(0, parentTotal('total-equality-deletes') + added.equality - removed.equality));
    return out;
  }
}

/**
 * Adds the summary entries for delete files added or removed (`added-delete-files`,
 * `added-position-deletes`, …, sizes into `added-files-size`/`removed-files-size`) and returns the
 * position and equality delete counts, for the totals.
 */
function deleteFileSummary(verb: 'added' | 'removed', files: readonly DataFile[], out: Record<string, string>): { position: number; equality: number } {
  const rows = (list: readonly DataFile[]) => list.reduce((n, d) => n + d.recordCount, 0);
  const position = files.filter((d) => d.content === FileContent.PositionDeletes);
  const equality = files.filter((d) => d.content === FileContent.EqualityDeletes);
  if (files.length > 0) {
    out[`${verb}-delete-files`] = String(files.length);
    out[`${verb}-files-size`] = String(Number(out[`${verb}-files-size`] ?? 0) + files.reduce((n, d) => n + d.fileSizeInBytes, 0));
  }
  for (const [kind, list] of [['position', position], ['equality', equality]] as const) {
    if (list.length === 0) continue;
    out[`${verb}-${kind}-delete-files`] = String(list.length);
    out[`${verb}-${kind}-deletes`] = String(rows(list));
  }
  return { position: rows(position), equality: rows(equality) };
}

export function metadataDir(md: TableMetadata): string {
  return md.properties['write.metadata.path'] ?? `${md.location}/metadata`;
}

/** Live entries of a manifest, with the schema its spec is read under. */
export async function liveEntries(ops: TableOperations, md: TableMetadata, manifest: ManifestFile): Promise<ManifestEntry[]> {
  const entries = await readManifest(ops.io, manifest, specById(md, manifest.partitionSpecId), schemaById(md, md.currentSchemaId));
  return entries.filter((e) => e.status !== EntryStatus.Deleted);
}
