import { UnsupportedError } from '../errors/unsupported-error.ts';
import { EntryStatus, FileContent, type DataFile, type ManifestFile } from './data-file.ts';
import { DeleteFileIndex } from './delete-file-index.ts';
import { evaluateTuple, fileMightMatch, manifestMightMatch } from './evaluators.ts';
import { bind, type Expression } from './expression.ts';
import type { FileIO } from './file-io.ts';
import type { ManifestReader } from './manifest-cache.ts';
import { readManifest, readManifestList } from './manifest-io.ts';
import { projectInclusive } from './partition-projection.ts';
import type { Schema } from './schema.ts';
import { currentSchema, currentSnapshot, schemaById, snapshotAsOf, snapshotById, specById, type Snapshot, type TableMetadata } from './table-metadata.ts';

/** What a scan plan had to look at and what it kept: the evidence of pruning. */
export interface ScanMetrics {
  manifestsTotal: number;
  manifestsRead: number;
  filesConsidered: number;
  filesSelected: number;
  bytesSelected: number;
  recordsSelected: number;
  /** Files skipped by partition values, then by column min/max statistics. */
  filesSkippedByPartition: number;
  filesSkippedByMetrics: number;
  /** Live delete files in the delete manifests the filter could not rule out, and how many (distinct) apply to the selected files. */
  deleteFilesTotal: number;
  deleteFilesSelected: number;
}

/** A data file to read and the delete files whose rows must be removed from it. */
export interface FileScanTask {
  file: DataFile;
  /** The file's data sequence number (inherited from its manifest when it was added). */
  sequenceNumber: number;
  deletes: DataFile[];
}

export interface ScanPlan {
  snapshot: Snapshot | undefined;
  /** The schema to read the files with (the snapshot's, for time travel). */
  schema: Schema;
  /** The selected data files (the files of `tasks`). */
  files: DataFile[];
  tasks: FileScanTask[];
  metrics: ScanMetrics;
}

/**
 * Plans which data files a read needs (spec "Scan Planning"): manifests are skipped by their
 * partition summaries, files by their partition tuple and then by column bounds. Immutable builder.
 */
export class TableScan {
  constructor(
    private readonly io: FileIO,
    private readonly metadata: TableMetadata,
    private readonly options: { filter?: Expression; snapshotId?: bigint; asOfMs?: number; readManifest?: ManifestReader } = {},
  ) {}

  filter(filter: Expression): TableScan {
    return new TableScan(this.io, this.metadata, { ...this.options, filter });
  }

  /** Reads manifests through `reader` (a ManifestCache's, for a node that plans the same tables often). */
  withManifestReader(reader: ManifestReader): TableScan {
    return new TableScan(this.io, this.metadata, { ...this.options, readManifest: reader });
  }

  /** Time travel to a snapshot by id. */
  useSnapshot(snapshotId: bigint): TableScan {
    return new TableScan(this.io, this.metadata, { ...this.options, snapshotId });
  }

  /** Time travel to the snapshot current at a time (snapshot log). */
  asOfTime(timestampMs: number): TableScan {
    return new TableScan(this.io, this.metadata, { ...this.options, asOfMs: timestampMs });
  }

  snapshot(): Snapshot | undefined {
    if (this.options.snapshotId !== undefined) return snapshotById(this.metadata, this.options.snapshotId);
    if (this.options.asOfMs !== undefined) return snapshotAsOf(this.metadata, this.options.asOfMs);
    return currentSnapshot(this.metadata);
  }

  /** The schema rows are read with: the time-travel snapshot's schema, else the current one. */
  schema(): Schema {
    const snapshot = this.snapshot();
    const pinned = this.options.snapshotId !== undefined || this.options.asOfMs !== undefined;
    return pinned && snapshot?.schemaId !== undefined ? schemaById(this.metadata, snapshot.schemaId) : currentSchema(this.metadata);
  }

  async planFiles(): Promise<ScanPlan> {
    const schema = this.schema();
    const snapshot = this.snapshot();
    const filter = bind(this.options.filter ?? { op: 'true' }, schema);
    const metrics: ScanMetrics = {
      manifestsTotal: 0, manifestsRead: 0, filesConsidered: 0, filesSelected: 0, bytesSelected: 0, recordsSelected: 0,
      filesSkippedByPartition: 0, filesSkippedByMetrics: 0, deleteFilesTotal: 0, deleteFilesSelected: 0,
    };
    const files: DataFile[] = [];
    const tasks: FileScanTask[] = [];
    if (!snapshot) return { snapshot, schema, files, tasks, metrics };
    const read = this.options.readManifest ?? readManifest;
    const manifests = await readManifestList(this.io, snapshot.manifestList);
    metrics.manifestsTotal = manifests.length;
    // Delete manifests first: every selected data file needs the delete files that apply to it.
    const deletes = new DeleteFileIndex(new Map(this.metadata.specs.map((s) => [s.specId, s])));
    for (const manifest of manifests.filter((m) => m.content === 1)) {
      const spec = specById(this.metadata, manifest.partitionSpecId);
      if (!manifestMightMatch(projectInclusive(filter, spec, schema), manifest.partitions)) continue;
      metrics.manifestsRead++;
      for (const entry of await read(this.io, manifest, spec, schema)) {
        if (entry.status === EntryStatus.Deleted || entry.dataFile.content === FileContent.Data) continue;
        deletes.add(entry);
      }
    }
    metrics.deleteFilesTotal = deletes.size;
    const applied = new Set<string>();
    for (const manifest of manifests.filter((m) => m.content === 0)) {
      const spec = specById(this.metadata, manifest.partitionSpecId);
      const partitionFilter = projectInclusive(filter, spec, schema);
      if (!manifestMightMatch(partitionFilter, manifest.partitions)) continue;
      metrics.manifestsRead++;
      for (const entry of await read(this.io, manifest, spec, schema)) {
        if (entry.status === EntryStatus.Deleted) continue;
        metrics.filesConsidered++;
        if (!evaluateTuple(partitionFilter, entry.dataFile.partition)) {
          metrics.filesSkippedByPartition++;
          continue;
        }
        if (!fileMightMatch(filter, entry.dataFile)) {
          metrics.filesSkippedByMetrics++;
          continue;
        }
        const fileDeletes = deletes.forDataFile(entry.sequenceNumber, entry.dataFile);
        for (const d of fileDeletes) applied.add(d.filePath);
        files.push(entry.dataFile);
        tasks.push({ file: entry.dataFile, sequenceNumber: entry.sequenceNumber, deletes: fileDeletes });
        metrics.filesSelected++;
        metrics.bytesSelected += entry.dataFile.fileSizeInBytes;
        metrics.recordsSelected += entry.dataFile.recordCount;
      }
    }
    metrics.deleteFilesSelected = applied.size;
    return { snapshot, schema, files, tasks, metrics };
  }

  /**
   * The exact row count of the snapshot from the manifest list alone (no manifest or data file is
   * opened): the added and existing row counts of its data manifests. Exact only while the snapshot
   * has no live delete files; with some, the count needs the rows read (TableData.countRows), and
   * this refuses rather than overcounts.
   */
  async countFromMetadata(): Promise<number> {
    if (this.options.filter && this.options.filter.op !== 'true') throw new UnsupportedError('A metadata-only count has no filter; plan the files instead');
    const snapshot = this.snapshot();
    if (!snapshot) return 0;
    const manifests = await readManifestList(this.io, snapshot.manifestList);
    if (hasLiveDeletes(manifests)) {
      throw new UnsupportedError('The table has row-level delete files, so its row count cannot come from metadata alone; count the rows by reading them');
    }
    return manifests.filter((m) => m.content === 0).reduce((n, m) => n + m.addedRowsCount + m.existingRowsCount, 0);
  }

  /** Whether the snapshot has live delete files (row-level deletes to apply when reading). */
  async hasDeletes(): Promise<boolean> {
    const snapshot = this.snapshot();
    return snapshot ? hasLiveDeletes(await readManifestList(this.io, snapshot.manifestList)) : false;
  }
}

function hasLiveDeletes(manifests: readonly ManifestFile[]): boolean {
  return manifests.some((m) => m.content === 1 && m.addedFilesCount + m.existingFilesCount > 0);
}
