import { randomUUID } from 'node:crypto';
import { ObjectExistsError } from '../storage/object-store-errors.ts';
import { UnsupportedError } from '../errors/unsupported-error.ts';
import type { FileIO } from './file-io.ts';
import { metadataFromJson, type TableMetadata } from './table-metadata.ts';
import { decodeMetadataFile, deleteRemovedMetadataFiles, encodeMetadataFile, metadataFileSuffix } from './metadata-file.ts';
import { CommitFailedError, CommitStateUnknownError, NoSuchTableError } from './table-errors.ts';
import { formatIdentifier, type TableIdentifier, type TablePointerStore } from './table-pointer-store.ts';

/** A table's metadata together with the file it was read from. */
export interface TableState {
  readonly metadata: TableMetadata;
  readonly metadataLocation: string;
}

/**
 * A table's persistence, the role of Iceberg's TableOperations.
 *
 * Contract of `commit(base, next)`: atomic — afterwards the table is at `next` or still where it
 * was; it checks that `base` is still current and fails with CommitFailedError (retryable: nothing
 * changed) when it is not; when it cannot tell whether the swap happened it throws
 * CommitStateUnknownError, and then the caller must not delete any file `next` references.
 */
export interface TableOperations {
  readonly io: FileIO;
  readonly name: string;
  /** The state last loaded or committed, without I/O. */
  current(): TableState;
  refresh(): Promise<TableState>;
  commit(base: TableState, next: TableMetadata): Promise<TableState>;
}

/** Metadata file names `<version>-<uuid>.metadata.json` (spec "Metastore Tables"; `.gz.metadata.json` when gzipped). */
export function nextMetadataLocation(metadata: TableMetadata, baseLocation: string | undefined): string {
  const previous = baseLocation ? /\/(\d+)-[^/]*\.metadata\.json(\.gz)?$/.exec(baseLocation) : null;
  const version = previous ? Number(previous[1]) + 1 : baseLocation ? metadata.metadataLog.length + 1 : 0;
  const dir = stripTrailingSlashes(metadata.properties['write.metadata.path'] ?? `${stripTrailingSlashes(metadata.location)}/metadata`);
  return `${dir}/${String(version).padStart(5, '0')}-${randomUUID()}${metadataFileSuffix(metadata)}`;
}

function stripTrailingSlashes(location: string): string {
  return location.replace(/\/+$/, '');
}

const MAX_METADATA_LOG = 100;

/** Records the base file in the new metadata's metadata-log, keeping the last 100 entries. */
export function withMetadataLog(next: TableMetadata, base: TableState): TableMetadata {
  const log = [...next.metadataLog, { timestampMs: base.metadata.lastUpdatedMs, metadataFile: base.metadataLocation }];
  // At least one entry, as Iceberg Java keeps: the file this one replaced.
  const max = Math.max(1, Number(next.properties['write.metadata.previous-versions-max'] ?? MAX_METADATA_LOG) || 1);
  return { ...next, metadataLog: log.slice(Math.max(0, log.length - max)) };
}

export async function readMetadataFile(io: FileIO, location: string): Promise<TableState> {
  const bytes = await io.read(location);
  return { metadata: metadataFromJson(decodeMetadataFile(location, bytes), location), metadataLocation: location };
}

/** Table operations over a pointer store: the commit is a compare-and-swap of the pointer. */
export class PointerTableOperations implements TableOperations {
  private state: TableState | undefined;

  constructor(
    private readonly pointers: TablePointerStore,
    readonly identifier: TableIdentifier,
    readonly io: FileIO,
    initial?: TableState,
  ) {
    this.state = initial;
  }

  get name(): string {
    return formatIdentifier(this.identifier);
  }

  current(): TableState {
    if (!this.state) throw new Error(`Table ${this.name} was not loaded; call refresh() first`);
    return this.state;
  }

  async refresh(): Promise<TableState> {
    const pointer = await this.pointers.get(this.identifier);
    if (!pointer) throw new NoSuchTableError(this.name);
    if (this.state?.metadataLocation !== pointer.metadataLocation) this.state = await readMetadataFile(this.io, pointer.metadataLocation);
    return this.state!;
  }

  async commit(base: TableState, next: TableMetadata): Promise<TableState> {
    const location = nextMetadataLocation(next, base.metadataLocation);
    const metadata = withMetadataLog(next, base);
    try {
      await this.io.write(location, encodeMetadataFile(location, metadata), { createOnly: true });
    } catch (error) {
      if (error instanceof ObjectExistsError) throw new CommitFailedError(`Metadata file ${location} already exists; retry the commit`);
      throw error;
    }
    let swapped: boolean;
    try {
      swapped = await this.pointers.swap(this.identifier, base.metadataLocation, location, { expected: base.metadata, next: metadata });
    } catch (error) {
      swapped = await this.checkCommitted(location, error);
    }
    if (!swapped) {
      await this.io.delete(location).catch(() => undefined);
      throw new CommitFailedError(`Table ${this.name} changed since ${base.metadataLocation} was read; the commit was not applied`);
    }
    this.state = { metadata, metadataLocation: location };
    await deleteRemovedMetadataFiles(this.io, base.metadata, metadata);
    return this.state;
  }

  /** After a failed swap call: did the pointer move to `location` (maybe with commits on top)? */
  private async checkCommitted(location: string, cause: unknown): Promise<boolean> {
    try {
      const now = await this.refresh();
      if (now.metadataLocation === location) return true;
      return now.metadata.metadataLog.some((e) => e.metadataFile === location);
    } catch {
      throw new CommitStateUnknownError(`Commit of ${this.name} to ${location} may or may not have happened: ${(cause as Error).message}`, location, cause);
    }
  }
}

/** A table read straight from a metadata file (PyIceberg's StaticTable): read-only. */
export class StaticTableOperations implements TableOperations {
  private state: TableState | undefined;

  constructor(
    readonly metadataLocation: string,
    readonly io: FileIO,
    /** The file's content when the caller has already read it. */
    initial?: TableState,
  ) {
    this.state = initial;
  }

  get name(): string {
    return this.metadataLocation;
  }

  current(): TableState {
    if (!this.state) throw new Error(`Table ${this.name} was not loaded; call refresh() first`);
    return this.state;
  }

  async refresh(): Promise<TableState> {
    this.state ??= await readMetadataFile(this.io, this.metadataLocation);
    return this.state;
  }

  async commit(): Promise<TableState> {
    throw new UnsupportedError(`Table read from ${this.metadataLocation} is read-only; register it in a catalog to change it`);
  }
}
