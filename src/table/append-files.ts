import type { DataFile, ManifestFile } from './data-file.ts';
import { SnapshotProducer, type Changes } from './snapshot-producer.ts';
import type { Operation, TableMetadata } from './table-metadata.ts';

/**
 * A fast append: one new manifest with the added files, every existing manifest kept. Appends never
 * conflict, so a lost race simply retries on the new base; the new manifest is written once.
 */
export class AppendFiles extends SnapshotProducer {
  private readonly files: DataFile[] = [];
  private newManifests: Promise<ManifestFile[]> | undefined;

  appendFile(file: DataFile): this {
    this.files.push(file);
    return this;
  }

  appendFiles(files: Iterable<DataFile>): this {
    for (const f of files) this.appendFile(f);
    return this;
  }

  protected operation(): Operation {
    return 'append';
  }

  protected async apply(base: TableMetadata, baseManifests: readonly ManifestFile[]): Promise<Changes> {
    this.newManifests ??= this.manifestsForAdded(base, this.files);
    return { manifests: [...(await this.newManifests), ...baseManifests], added: this.files, deleted: [] };
  }
}
