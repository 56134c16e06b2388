import { UnsupportedError } from '../errors/unsupported-error.ts';
import { EntryStatus, type DataFile, type ManifestFile } from './data-file.ts';
import { evaluateTuple, fileMightMatch, manifestMightMatch } from './evaluators.ts';
import { bind, type Expression } from './expression.ts';
import type { FileIO } from './file-io.ts';
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
}

export interface ScanPlan {
  snapshot: Snapshot | undefined;
  /** The schema to read the files with (the snapshot's, for time travel). */
  schema: Schema;
  files: DataFile[];
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
    private readonly options: { filter?: Expression; snapshotId?: bigint; asOfMs?: number } = {},
  ) {}

  filter(filter: Expression): TableScan {
    return new TableScan(this.io, this.metadata, { ...this.options, filter });
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
    const metrics: ScanMetrics = { manifestsTotal: 0, manifestsRead: 0, filesConsidered: 0, filesSelected: 0, bytesSelected: 0, recordsSelected: 0, filesSkippedByPartition: 0, filesSkippedByMetrics: 0 };
    const files: DataFile[] = [];
    if (!snapshot) return { snapshot, schema, files, metrics };
    const manifests = await readManifestList(this.io, snapshot.manifestList);
    checkDataOnly(manifests);
    metrics.manifestsTotal = manifests.length;
    for (const manifest of manifests) {
      const spec = specById(this.metadata, manifest.partitionSpecId);
      const partitionFilter = projectInclusive(filter, spec, schema);
      if (!manifestMightMatch(partitionFilter, manifest.partitions)) continue;
      metrics.manifestsRead++;
      for (const entry of await readManifest(this.io, manifest, spec, schema)) {
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
        files.push(entry.dataFile);
        metrics.filesSelected++;
        metrics.bytesSelected += entry.dataFile.fileSizeInBytes;
        metrics.recordsSelected += entry.dataFile.recordCount;
      }
    }
    return { snapshot, schema, files, metrics };
  }

  /**
   * The exact row count of the snapshot from the manifest list alone (no manifest or data file is
   * opened): the added and existing row counts of its data manifests. Valid because Quarry tables
   * have no delete files; a table with some is refused rather than miscounted.
   */
  async countFromMetadata(): Promise<number> {
    if (this.options.filter && this.options.filter.op !== 'true') throw new UnsupportedError('A metadata-only count has no filter; plan the files instead');
    const snapshot = this.snapshot();
    if (!snapshot) return 0;
    const manifests = await readManifestList(this.io, snapshot.manifestList);
    checkDataOnly(manifests);
    return manifests.reduce((n, m) => n + m.addedRowsCount + m.existingRowsCount, 0);
  }
}

function checkDataOnly(manifests: readonly ManifestFile[]): void {
  if (manifests.some((m) => m.content !== 0)) {
    throw new UnsupportedError('The table has delete files (row-level deletes), which Quarry does not read yet');
  }
}
