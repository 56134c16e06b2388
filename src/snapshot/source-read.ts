import type { CsvChunk } from './csv-chunks.ts';

/**
 * A row as a snapshot reads it: one value per requested column, in request order, each null or its
 * text form: numbers in decimal notation, booleans as t/f/true/false/1/0, binary as lowercase hex
 * without prefix, arrays as JSON array text, dates and times as `YYYY-MM-DD[ HH:MM:SS[.ffffff][+HH]]`
 * (zoned values in UTC). One form for every source keeps the conversion to Iceberg types in one
 * place (column-mapping.ts), done by DuckDB in bulk.
 */
export type TextRow = ReadonlyArray<string | null>;

/** A column to read: the source's spelling of its name and its type in the common type system. */
export interface ReadColumn {
  readonly name: string;
  readonly type: string;
}

export interface ReadRequest {
  /** The source's spelling of the database (PostgreSQL schema, MariaDB database, SQLite `main`). */
  readonly database: string;
  /** The source's spelling of the table. */
  readonly table: string;
  readonly columns: readonly ReadColumn[];
  /** A SQL condition in the source's dialect, applied by the source. */
  readonly where?: string;
  /** Rows per batch: the most the reader holds in memory at once. */
  readonly batchRows: number;
}

/**
 * One consistent read of a table, begun by SnapshotSource.begin: every batch comes from the same
 * point in time of the source (its transaction snapshot), whatever writers do meanwhile.
 * `close` ends the read (and its transaction) and must be called whether or not the batches were
 * read to the end.
 */
export interface SourceRead {
  /** The source's clock at the point in time the read sees. */
  readonly readTime: Date;
  batches(): AsyncIterable<TextRow[]>;
  /**
   * The same rows as CSV text in bulk, for sources that can hand them over without a JavaScript
   * value per field (PostgreSQL's COPY): chunks of whole rows of at least `chunkBytes` (the last
   * may be shorter), each field in the TextRow text form, a null as an empty unquoted field and an
   * empty string as `""`. A read is consumed either by `batches` or by `csv`, not both.
   */
  csv?(chunkBytes: number): AsyncIterable<CsvChunk>;
  /** Summary entries that say more about this read (a read window's end, a consistency level), asked for after the batches ran out. */
  lineage?(): Record<string, string>;
  close(): Promise<void>;
}

/**
 * A database snapshots read from. `begin` starts a read-only transaction at one point in time and
 * checks the request (a `where` the source refuses is an InvalidInputError naming it); errors while reading are
 * thrown from the batches' iteration.
 */
export interface SnapshotSource {
  begin(request: ReadRequest): Promise<SourceRead>;
  close(): Promise<void>;
}
