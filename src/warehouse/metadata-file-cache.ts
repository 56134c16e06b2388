import type { FileIO } from '../table/file-io.ts';
import { readMetadataFile, type TableState } from '../table/table-operations.ts';

/** Metadata files held: the current files of the tables in use, a few hundred kilobytes each at most. */
const DEFAULT_CAPACITY = 128;

/**
 * Table metadata files by location, read once. Metadata files are immutable (a change writes a new
 * one), so a file read for one request serves every later request for the same location without
 * checking the store again. The least recently used file goes first once `capacity` are held;
 * concurrent first reads of one file may each read it. Failed reads are not kept.
 */
export class MetadataFileCache {
  private readonly files = new Map<string, TableState>();

  constructor(
    private readonly io: FileIO,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  async read(location: string): Promise<TableState> {
    const cached = this.files.get(location);
    if (cached) {
      this.files.delete(location);
      this.files.set(location, cached);
      return cached;
    }
    const state = await readMetadataFile(this.io, location);
    this.remember(state);
    return state;
  }

  /** Keeps a file the caller has just written (a commit), so the next read of it costs nothing. */
  remember(state: TableState): void {
    this.files.delete(state.metadataLocation);
    this.files.set(state.metadataLocation, state);
    if (this.files.size > this.capacity) this.files.delete(this.files.keys().next().value!);
  }
}
