import { FileContent, type DataFile, type ManifestFile } from './data-file.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { SnapshotProducer, type Changes } from './snapshot-producer.ts';
import type { Operation, TableMetadata } from './table-metadata.ts';

/**
 * Adds row-level delete files (position or equality deletes, format v2) and optionally data files in
 * one snapshot: the merge-on-read way to delete or update rows without rewriting data files. Like an
 * append it re-applies on a new base; the delete files' sequence number (the new snapshot's) decides
 * which data files they apply to, so data appended concurrently is never deleted by them, except by
 * equality deletes, which by the spec apply to every older data file.
 */
export class RowDelta extends SnapshotProducer {
  private readonly dataFiles: DataFile[] = [];
  private readonly deleteFiles: DataFile[] = [];
  private newManifests: Promise<ManifestFile[]> | undefined;

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
    this.newManifests ??= this.manifestsForAdded(base, [...this.dataFiles, ...this.deleteFiles]);
    return { manifests: [...(await this.newManifests), ...baseManifests], added: this.dataFiles, deleted: [], addedDeletes: this.deleteFiles };
  }
}
