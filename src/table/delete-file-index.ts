import { DELETE_FILE_PATH_ID, FileContent, type DataFile, type ManifestEntry } from './data-file.ts';
import type { PartitionSpec } from './partition-spec.ts';
import { partitionKey } from './partition-key.ts';

/** A live delete file with the data sequence number that decides which data files it applies to. */
export interface DeleteFileEntry {
  readonly file: DataFile;
  readonly sequenceNumber: number;
}

/**
 * Which delete files apply to a data file (spec "Scan Planning", delete file rules):
 * - a position delete file applies when the data file's data sequence number is less than or equal
 *   to the delete file's, and
 * - an equality delete file applies when the data file's data sequence number is strictly less, so
 *   rows written in the same commit as the delete are not deleted by it;
 * - either kind only within the same partition (spec id and tuple), unless the delete file's spec is
 *   unpartitioned, which makes it global.
 * Position delete files whose file_path bounds name a single data file apply only to that file.
 */
export class DeleteFileIndex {
  private readonly byPartition = new Map<string, DeleteFileEntry[]>();
  private readonly global: DeleteFileEntry[] = [];
  private count = 0;

  constructor(private readonly specs: ReadonlyMap<number, PartitionSpec>) {}

  add(entry: Pick<ManifestEntry, 'dataFile' | 'sequenceNumber'>): void {
    const item = { file: entry.dataFile, sequenceNumber: entry.sequenceNumber };
    this.count++;
    const spec = this.specs.get(entry.dataFile.specId);
    if (!spec || spec.fields.length === 0) {
      this.global.push(item);
      return;
    }
    const key = partitionKey(entry.dataFile.specId, entry.dataFile.partition);
    const list = this.byPartition.get(key);
    if (list) list.push(item);
    else this.byPartition.set(key, [item]);
  }

  get size(): number {
    return this.count;
  }

  /** The delete files to apply when reading `file`, whose data sequence number is `sequenceNumber`. */
  forDataFile(sequenceNumber: number, file: DataFile): DataFile[] {
    if (this.count === 0) return [];
    const candidates = [...this.global, ...(this.byPartition.get(partitionKey(file.specId, file.partition)) ?? [])];
    return candidates.filter((d) => applies(d, sequenceNumber, file)).map((d) => d.file);
  }
}

function applies(d: DeleteFileEntry, dataSequence: number, file: DataFile): boolean {
  if (d.file.content === FileContent.EqualityDeletes) return dataSequence < d.sequenceNumber;
  if (d.file.content !== FileContent.PositionDeletes || dataSequence > d.sequenceNumber) return false;
  const lower = d.file.lowerBounds?.get(DELETE_FILE_PATH_ID);
  const upper = d.file.upperBounds?.get(DELETE_FILE_PATH_ID);
  if (!lower || !upper) return true;
  // Truncated bounds are still a prefix below and a value above every path in the file.
  const path = Buffer.from(file.filePath, 'utf8');
  return Buffer.compare(path, Buffer.from(lower)) >= 0 && Buffer.compare(path, Buffer.from(upper)) <= 0;
}
