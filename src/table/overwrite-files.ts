import { CommitConflictError } from './table-errors.ts';
import { PreconditionError } from '../errors/precondition-error.ts';
import { DELETE_FILE_PATH_ID, EntryStatus, FileContent, type DataFile, type ManifestEntry, type ManifestFile } from './data-file.ts';
import { DeleteFileIndex } from './delete-file-index.ts';
import { fileAllMatch, fileMightMatch, evaluateTuple, manifestMightMatch } from './evaluators.ts';
import { bind, bindWith, type Bound, type Expression } from './expression.ts';
import { projectInclusive, projectStrict } from './partition-projection.ts';
import { liveEntries, SnapshotProducer, type Changes } from './snapshot-producer.ts';
import { ancestorsOf, currentSchema, specById, type Operation, type TableMetadata } from './table-metadata.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { readManifestList } from './manifest-io.ts';
import type { PartitionSpec } from './partition-spec.ts';
import type { Schema } from './schema.ts';
import type { TableOperations } from './table-operations.ts';

export interface OverwriteOptions {
  /** The snapshot summary operation; derived from what changes when absent. */
  operation?: Operation;
  /**
   * Fail with CommitConflictError when a concurrent commit added files matching the row filter
   * (the overwrite would silently drop them). Deletes by expression skip this: they re-apply.
   */
  validateNoConflictingAppends?: boolean;
}

/**
 * Removes files (named, or every file a filter fully covers) and adds files, as one snapshot:
 * overwrite, delete and replace (compaction) are all this operation.
 *
 * On a retry the change is rebuilt on the new base: named files must still be live (else
 * CommitConflictError: someone removed or replaced them); filters are re-evaluated.
 */
export class OverwriteFiles extends SnapshotProducer {
  private readonly added: DataFile[] = [];
  private readonly deletedPaths = new Set<string>();
  private rowFilter: Expression | undefined;
  private conflictFilter: Expression | undefined;
  private partitionFilter: Expression | undefined;
  private checkNewDeletes = false;
  private newManifests: Promise<ManifestFile[]> | undefined;
  private readonly startingSnapshotId: bigint | null;

  constructor(
    ops: TableOperations,
    private readonly options: OverwriteOptions = {},
  ) {
    super(ops);
    this.startingSnapshotId = ops.current().metadata.currentSnapshotId;
  }

  addFile(file: DataFile): this {
    this.added.push(file);
    return this;
  }

  addFiles(files: Iterable<DataFile>): this {
    for (const f of files) this.addFile(f);
    return this;
  }

  deleteFile(file: DataFile | string): this {
    this.deletedPaths.add(typeof file === 'string' ? file : file.filePath);
    return this;
  }

  /**
   * Deletes every file whose rows all match the filter; a file only partly matching is an error
   * (this class changes metadata only: TableData.deleteRows rewrites such files, copy-on-write).
   */
  overwriteByRowFilter(filter: Expression): this {
    bind(filter, currentSchema(this.ops.current().metadata));
    this.rowFilter = filter;
    this.conflictFilter = filter;
    return this;
  }

  /**
   * Fails the commit with CommitConflictError if a commit made since this operation started added
   * files that may hold rows matching the filter (serializable overwrite), when the option
   * validateNoConflictingAppends is on. Unlike overwriteByRowFilter it deletes nothing by itself:
   * copy-on-write names the files it replaces.
   */
  conflictDetectionFilter(filter: Expression): this {
    bind(filter, currentSchema(this.ops.current().metadata));
    this.conflictFilter = filter;
    return this;
  }

  /**
   * Fails the commit with CommitConflictError if a commit made since this operation started added
   * delete files that may apply to a file this operation removes: a copy-on-write rewrite read that
   * file without those deletes and would bring the deleted rows back.
   */
  validateNoNewDeletesForRemovedFiles(): this {
    this.checkNewDeletes = true;
    return this;
  }

  /** Deletes every file whose partition matches a filter over partition field names (`ts_day = '2024-01-02'`). */
  deleteByPartition(filter: Expression): this {
    this.partitionFilter = filter;
    return this;
  }

  protected operation(changes: Changes): Operation {
    if (this.options.operation) return this.options.operation;
    if (changes.deleted.length === 0) return 'append';
    return changes.added.length === 0 ? 'delete' : 'overwrite';
  }

  protected async apply(base: TableMetadata, baseManifests: readonly ManifestFile[]): Promise<Changes> {
    const schema = currentSchema(base);
    const rowFilter = this.rowFilter ? bind(this.rowFilter, schema) : undefined;
    if (this.conflictFilter && (this.options.validateNoConflictingAppends ?? true)) await this.validateNoConflictingAppends(base, bind(this.conflictFilter, schema));

    const deleted: DataFile[] = [];
    const found = new Set<string>();
    const manifests: ManifestFile[] = [];
    for (const manifest of baseManifests) {
      const spec = specById(base, manifest.partitionSpecId);
      const partitionFilter = this.partitionFilter ? bindPartitionFilter(this.partitionFilter, spec, schema) : undefined;
      const inclusive = rowFilter ? projectInclusive(rowFilter, spec, schema) : undefined;
      const strict = rowFilter ? projectStrict(rowFilter, spec, schema) : undefined;
      const mayHold =
        this.deletedPaths.size > 0 ||
        (partitionFilter !== undefined && manifestMightMatch(partitionFilter, manifest.partitions)) ||
        (inclusive !== undefined && manifestMightMatch(inclusive, manifest.partitions));
      if (!mayHold || manifest.content !== 0) {
        manifests.push(manifest);
        continue;
      }
      const entries = await liveEntries(this.ops, base, manifest);
      const remove = (e: ManifestEntry): boolean => {
        const file = e.dataFile;
        if (this.deletedPaths.has(file.filePath)) {
          found.add(file.filePath);
          return true;
        }
        if (partitionFilter && evaluateTuple(partitionFilter, file.partition)) return true;
        if (rowFilter && inclusive && strict) {
          if (evaluateTuple(strict, file.partition) || fileAllMatch(rowFilter, file)) return true;
          if (evaluateTuple(inclusive, file.partition) && fileMightMatch(rowFilter, file)) {
            throw new PreconditionError(
              `Cannot delete ${file.filePath}: some but not all of its rows may match the filter. Filter on partition columns or whole-file ranges, or delete rows with TableData.deleteRows (copy-on-write rewrite)`,
              { file: file.filePath },
            );
          }
        }
        return false;
      };
      const removed = entries.filter(remove);
      if (removed.length === 0) {
        manifests.push(manifest);
        continue;
      }
      deleted.push(...removed.map((e) => e.dataFile));
      manifests.push(await this.rewriteWithout(base, manifest, entries, new Set(removed)));
    }
    const missing = [...this.deletedPaths].filter((p) => !found.has(p));
    if (missing.length > 0) {
      throw new CommitConflictError(`Cannot commit: ${missing.length} file(s) to replace are no longer in the table (a concurrent commit removed them), e.g. ${missing[0]}`, { files: missing });
    }
    if (this.checkNewDeletes) await this.validateNoNewDeletes(base, deleted);
    const removedDeletes = await this.removeDanglingDeletes(base, manifests, deleted);
    this.newManifests ??= this.manifestsForAdded(base, this.added);
    return { manifests: [...(await this.newManifests), ...manifests], added: this.added, deleted, removedDeletes };
  }

  /**
   * Removes, in place in `manifests`, position delete files scoped to one data file (file_path lower
   * and upper bounds equal) whose data file this operation removes: they can no longer apply to
   * anything. Delete files spanning several data files, and equality deletes, stay.
   */
  private async removeDanglingDeletes(base: TableMetadata, manifests: ManifestFile[], removedData: readonly DataFile[]): Promise<DataFile[]> {
    if (removedData.length === 0) return [];
    const paths = new Set(removedData.map((f) => f.filePath));
    const scopedTo = (f: DataFile): string | undefined => {
      const lower = f.lowerBounds?.get(DELETE_FILE_PATH_ID);
      const upper = f.upperBounds?.get(DELETE_FILE_PATH_ID);
      if (f.content !== FileContent.PositionDeletes || !lower || !upper || Buffer.compare(lower, upper) !== 0) return undefined;
      return Buffer.from(lower).toString('utf8');
    };
    const removed: DataFile[] = [];
    for (const [i, manifest] of manifests.entries()) {
      if (manifest.content !== 1) continue;
      const entries = await liveEntries(this.ops, base, manifest);
      const gone = new Set(entries.filter((e) => paths.has(scopedTo(e.dataFile) ?? '')));
      if (gone.size === 0) continue;
      removed.push(...[...gone].map((e) => e.dataFile));
      manifests[i] = await this.rewriteWithout(base, manifest, entries, gone);
    }
    return removed;
  }

  /** A copy of a manifest's live entries in which `gone` are marked DELETED by this snapshot. */
  private rewriteWithout(base: TableMetadata, manifest: ManifestFile, entries: readonly ManifestEntry[], gone: ReadonlySet<ManifestEntry>): Promise<ManifestFile> {
    return this.writeManifest(
      base,
      manifest.partitionSpecId,
      entries.map((e) => ({
        status: gone.has(e) ? EntryStatus.Deleted : EntryStatus.Existing,
        snapshotId: gone.has(e) ? this.snapshotId : e.snapshotId,
        sequenceNumber: e.sequenceNumber,
        fileSequenceNumber: e.fileSequenceNumber,
        dataFile: e.dataFile,
      })),
    );
  }

  /** Snapshots committed on top of the one this operation started from, newest first. */
  private newerSnapshots(base: TableMetadata) {
    const newer = [];
    for (const s of ancestorsOf(base, base.currentSnapshotId)) {
      if (s.snapshotId === this.startingSnapshotId) break;
      newer.push(s);
    }
    return newer;
  }

  private async validateNoNewDeletes(base: TableMetadata, removed: readonly DataFile[]): Promise<void> {
    const newer = this.newerSnapshots(base);
    if (newer.length === 0 || removed.length === 0) return;
    const ids = new Set(newer.map((s) => s.snapshotId));
    const index = new DeleteFileIndex(new Map(base.specs.map((s) => [s.specId, s])));
    for (const manifest of await readManifestList(this.ops.io, newer[0].manifestList)) {
      if (manifest.content !== 1 || !ids.has(manifest.addedSnapshotId)) continue;
      for (const e of await liveEntries(this.ops, base, manifest)) {
        // Live entries by their adding snapshot, ADDED or (after a manifest merge) EXISTING.
        if (ids.has(e.snapshotId) && e.dataFile.content !== FileContent.Data) index.add(e);
      }
    }
    // Sequence number 0 makes every new delete file a candidate for the removed file.
    const hit = removed.find((f) => index.forDataFile(0, f).length > 0);
    if (hit) {
      throw new CommitConflictError(`Cannot commit: a concurrent commit added row-level deletes for ${hit.filePath}, which this operation rewrote without them`, { file: hit.filePath });
    }
  }

  /** Serializable overwrite: files appended since the operation started must not match its filter. */
  private async validateNoConflictingAppends(base: TableMetadata, filter: Bound): Promise<void> {
    const newer = this.newerSnapshots(base);
    if (newer.length === 0) return;
    const ids = new Set(newer.map((s) => s.snapshotId));
    const schema = currentSchema(base);
    for (const manifest of await readManifestList(this.ops.io, newer[0].manifestList)) {
      // Only a newer snapshot can have written a manifest holding files a newer snapshot added; a merge
      // may have made those entries EXISTING, so the added count alone does not tell.
      if (!ids.has(manifest.addedSnapshotId) || manifest.content !== 0) continue;
      const spec = specById(base, manifest.partitionSpecId);
      const inclusive = projectInclusive(filter, spec, schema);
      if (!manifestMightMatch(inclusive, manifest.partitions)) continue;
      for (const e of await liveEntries(this.ops, base, manifest)) {
        if (ids.has(e.snapshotId) && evaluateTuple(inclusive, e.dataFile.partition) && fileMightMatch(filter, e.dataFile)) {
          throw new CommitConflictError(`Cannot overwrite: a concurrent commit (snapshot ${e.snapshotId}) added ${e.dataFile.filePath}, which matches the overwrite filter`, {
            snapshotId: e.snapshotId.toString(),
          });
        }
      }
    }
  }
}

/** Binds a filter over partition field names to tuple positions of one spec. */
export function bindPartitionFilter(filter: Expression, spec: PartitionSpec, schema: Schema): Bound {
  const types = spec.fieldTypes(schema);
  return bindWith(filter, (name) => {
    const pos = types.findIndex((t) => t.field.name === name);
    if (pos < 0) throw new InvalidInputError(`Partition filter refers to ${JSON.stringify(name)}, which is not a partition field (fields: ${types.map((t) => t.field.name).join(', ') || 'none: the table is unpartitioned'})`, 'filter');
    return { ref: pos, type: types[pos].result };
  });
}
