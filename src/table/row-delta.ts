import { DELETE_FILE_PATH_ID, FileContent, type DataFile, type ManifestFile } from './data-file.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { liveEntries, SnapshotProducer, type Changes } from './snapshot-producer.ts';
import { CommitConflictError } from './table-errors.ts';
import type { Operation, TableMetadata } from './table-metadata.ts';
import type { TableOperations } from './table-operations.ts';

/**
 * Adds row-level delete files (position or equality deletes, format v2) and optionally data files in
 * one snapshot: the merge-on-read way to delete or update rows without rewriting data files. Like an
 * append it re-applies on a new base; the delete files' sequence number (the new snapshot's) decides
 * which data files they apply to, so data appended concurrently is never deleted by them, except by
 * equality deletes, which by the spec apply to every older data file.
 *
 * A position delete file scoped to one data file (equal file_path bounds) must still find that file
 * in the table: if a concurrent commit removed or rewrote it, the rows to delete may live on in the
 * rewritten file, so the commit fails with CommitConflictError instead of deleting nothing.
 */
export class RowDelta extends SnapshotProducer {
  private readonly dataFiles: DataFile[] = [];
  private readonly deleteFiles: DataFile[] = [];
  private newManifests: Promise<ManifestFile[]> | undefined;
  private readonly startingSnapshotId: bigint | null;

  constructor(ops: TableOperations) {
    super(ops);
    this.startingSnapshotId = ops.current().metadata.currentSnapshotId;
  }

  addRows(file: DataFile): this {
    if (file.content !== FileContent.Data) throw new InvalidInputError(`${file.filePath} is a delete file; add it with addDeletes`, 'file');
    this.dataFiles.push(file);
    return this;
  }

  addDeletes(file: DataFile): this {
    if (file.content === FileContent.Data) throw new InvalidInputError(`${file.filePath} is a data file; add it with addRows`, 'file');
    if (file.content === FileContent.EqualityDeletes && !file.equalityIds?.length) {
      throw new InvalidInputError(`Equality delete file ${file.filePath} names no equality field ids`, 'equalityIds');
    }
    this.deleteFiles.push(file);
    return this;
  }

  protected operation(): Operation {
    // Spec: "delete" when only deletes are added; "overwrite" when rows are also added.
    return this.dataFiles.length > 0 ? 'overwrite' : 'delete';
  }

  protected async apply(base: TableMetadata, baseManifests: readonly ManifestFile[]): Promise<Changes> {
    if (base.currentSnapshotId !== this.startingSnapshotId) await this.validateReferencedFilesExist(base, baseManifests);
    this.newManifests ??= this.manifestsForAdded(base, [...this.dataFiles, ...this.deleteFiles]);
    return { manifests: [...(await this.newManifests), ...baseManifests], added: this.dataFiles, deleted: [], addedDeletes: this.deleteFiles };
  }

  private async validateReferencedFilesExist(base: TableMetadata, baseManifests: readonly ManifestFile[]): Promise<void> {
    const referenced = new Set<string>();
    for (const d of this.deleteFiles) {
      const lower = d.lowerBounds?.get(DELETE_FILE_PATH_ID);
      const upper = d.upperBounds?.get(DELETE_FILE_PATH_ID);
      if (d.content === FileContent.PositionDeletes && lower && upper && Buffer.compare(lower, upper) === 0) referenced.add(Buffer.from(lower).toString('utf8'));
    }
    if (referenced.size === 0) return;
    for (const manifest of baseManifests) {
      if (manifest.content !== 0) continue;
      for (const e of await liveEntries(this.ops, base, manifest)) referenced.delete(e.dataFile.filePath);
      if (referenced.size === 0) return;
    }
    const [missing] = referenced;
    throw new CommitConflictError(`Cannot commit position deletes: a concurrent commit removed or rewrote ${missing}, the data file they name`, { file: missing });
  }
}
