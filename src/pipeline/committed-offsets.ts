import type { ManifestFile } from '../table/data-file.ts';
import { AppendFiles } from '../table/append-files.ts';
import type { Changes } from '../table/snapshot-producer.ts';
import { CommitConflictError } from '../table/table-errors.ts';
import { ancestorsOf, type TableMetadata } from '../table/table-metadata.ts';
import type { TableOperations } from '../table/table-operations.ts';

/** Snapshot summary key holding the log offsets a pipeline commit covers: JSON `{"<partition>": <next offset>}`. */
export const OFFSETS_KEY = 'quarry.pipeline.offsets';
/** Snapshot summary key: rows the pipeline has committed to this table in total, up to this snapshot. */
export const COMMITTED_KEY = 'quarry.pipeline.committed-records';
/** Snapshot summary key naming the stream, so two streams writing one table cannot mix their offsets. */
export const STREAM_KEY = 'quarry.pipeline.stream';

/** Snapshot summary key naming the sink worker that made a pipeline commit (which worker holds which partitions shows in the history). */
export const WORKER_KEY = 'quarry.pipeline.worker';

export type Offsets = Record<number, number>;

/** What the table says the pipeline committed: per partition the next offset to read, and the running count. */
export interface CommittedState {
  offsets: Offsets;
  committed: number;
  /** Commit time of the snapshot that carried them. */
  committedAtMs?: number;
}

/**
 * The offsets of the newest snapshot on the main branch that carries a stream's offsets (commits
 * of other kinds, such as compaction, carry none and are skipped). Empty when nothing was committed.
 */
export function committedState(md: TableMetadata, stream: string): CommittedState {
  for (const snapshot of ancestorsOf(md, md.currentSnapshotId)) {
    const text = snapshot.summary[OFFSETS_KEY];
    if (text === undefined || snapshot.summary[STREAM_KEY] !== stream) continue;
    const parsed = JSON.parse(text) as Record<string, number>;
    const offsets: Offsets = {};
    for (const [p, o] of Object.entries(parsed)) offsets[Number(p)] = Number(o);
    return { offsets, committed: Number(snapshot.summary[COMMITTED_KEY] ?? 0), committedAtMs: snapshot.timestampMs };
  }
  return { offsets: {}, committed: 0 };
}

/** The offsets of `b` equal those of `a` for every partition either names (a missing partition is offset 0). */
export function sameOffsets(a: Offsets, b: Offsets): boolean {
  const partitions = new Set([...Object.keys(a), ...Object.keys(b)].map(Number));
  for (const p of partitions) if ((a[p] ?? 0) !== (b[p] ?? 0)) return false;
  return true;
}

/** Another sink worker committed these offsets first: this worker's batch is a duplicate and must be dropped. */
export class OffsetsMovedError extends CommitConflictError {}

/**
 * A fast append that commits only if the table's committed offsets of the partitions it covers are
 * still those the batch was read from: the compare-and-swap that keeps several sink workers from
 * committing one record twice. The check runs on every attempt, after each refresh, so a lost
 * pointer swap that was another worker's commit of the same records fails with OffsetsMovedError
 * instead of retrying. Partitions it does not cover may move meanwhile (other workers hold them):
 * the snapshot's offsets are the table's current ones with the covered partitions advanced, and its
 * running count is the table's plus this batch's rows, both taken at the attempt that commits.
 */
export class OffsetCheckedAppend extends AppendFiles {
  constructor(
    ops: TableOperations,
    private readonly stream: string,
    /** Per covered partition, the offset the batch starts at (the table's offset when it was read). */
    private readonly expected: Offsets,
    /** Per covered partition, the offset past the batch. */
    private readonly next: Offsets,
    private readonly rows: number,
  ) {
    super(ops);
    this.set(STREAM_KEY, stream);
  }

  protected override async apply(base: TableMetadata, baseManifests: readonly ManifestFile[]): Promise<Changes> {
    const found = committedState(base, this.stream);
    for (const [p, offset] of Object.entries(this.expected)) {
      if ((found.offsets[Number(p)] ?? 0) !== offset) {
        throw new OffsetsMovedError(
          `Offsets of stream ${JSON.stringify(this.stream)} moved from ${JSON.stringify(this.expected)} to ${JSON.stringify(found.offsets)}: another sink worker committed these records`,
        );
      }
    }
    this.set(OFFSETS_KEY, JSON.stringify({ ...found.offsets, ...this.next }));
    this.set(COMMITTED_KEY, String(found.committed + this.rows));
    return super.apply(base, baseManifests);
  }
}
