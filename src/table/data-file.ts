import type { PartitionTuple } from './partition-spec.ts';

/** What a file listed in a manifest holds (spec "Data File Fields", field 134). */
export enum FileContent {
  Data = 0,
  PositionDeletes = 1,
  EqualityDeletes = 2,
}

/**
 * One file as a manifest records it (spec "Data File Fields"): a data file, or a position or
 * equality delete file (v2 row-level deletes). Metrics maps are keyed by field id; bounds hold the
 * binary single-value serialization of Appendix D.
 */
export interface DataFile {
  readonly content: FileContent;
  readonly filePath: string;
  readonly fileFormat: 'PARQUET' | 'AVRO' | 'ORC';
  /** The partition spec the tuple belongs to (kept beside the file; stored per manifest). */
  readonly specId: number;
  readonly partition: PartitionTuple;
  readonly recordCount: number;
  readonly fileSizeInBytes: number;
  readonly columnSizes?: ReadonlyMap<number, number>;
  readonly valueCounts?: ReadonlyMap<number, number>;
  readonly nullValueCounts?: ReadonlyMap<number, number>;
  readonly nanValueCounts?: ReadonlyMap<number, number>;
  readonly lowerBounds?: ReadonlyMap<number, Uint8Array>;
  readonly upperBounds?: ReadonlyMap<number, Uint8Array>;
  readonly splitOffsets?: readonly number[];
  readonly sortOrderId?: number;
  /** Equality delete files: the field ids whose values identify deleted rows. */
  readonly equalityIds?: readonly number[];
}

/** Reserved field ids of position delete files (spec "Reserved Field IDs"). */
export const DELETE_FILE_PATH_ID = 2147483546;
export const DELETE_POS_ID = 2147483545;

export enum EntryStatus {
  Existing = 0,
  Added = 1,
  Deleted = 2,
}

/** A manifest entry with sequence numbers already inherited from the manifest list where null. */
export interface ManifestEntry {
  readonly status: EntryStatus;
  readonly snapshotId: bigint;
  readonly sequenceNumber: number;
  readonly fileSequenceNumber: number;
  readonly dataFile: DataFile;
}

export interface FieldSummary {
  readonly containsNull: boolean;
  readonly containsNan?: boolean;
  readonly lowerBound?: Uint8Array;
  readonly upperBound?: Uint8Array;
}

/** One line of a manifest list (spec "Manifest Lists"). */
export interface ManifestFile {
  readonly manifestPath: string;
  readonly manifestLength: number;
  readonly partitionSpecId: number;
  /** 0 data, 1 deletes. */
  readonly content: 0 | 1;
  readonly sequenceNumber: number;
  readonly minSequenceNumber: number;
  readonly addedSnapshotId: bigint;
  readonly addedFilesCount: number;
  readonly existingFilesCount: number;
  readonly deletedFilesCount: number;
  readonly addedRowsCount: number;
  readonly existingRowsCount: number;
  readonly deletedRowsCount: number;
  readonly partitions?: readonly FieldSummary[];
}

/** A sequence number not yet assigned: the manifest is part of a commit still being attempted. */
export const UNASSIGNED_SEQUENCE = -1;
