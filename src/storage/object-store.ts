import type { Readable } from 'node:stream';

/** What a store knows about one object. */
export interface ObjectInfo {
  /** The key relative to the store's root, `/`-separated, never starting with `/`. */
  key: string;
  size: number;
  lastModified: Date;
  /** Changes whenever the content changes; the token for conditional writes. */
  etag: string;
}

/**
 * A byte range to read: `{ start, end }` is inclusive of both ends (HTTP semantics, `end` clamped to
 * the object), `{ start }` reads to the end, `{ suffix }` reads the last `suffix` bytes.
 */
export type ByteRange = { start: number; end?: number } | { suffix: number };

export interface PutOptions {
  contentType?: string;
  /**
   * `'*'`: create only if no object has this key (atomic; the loser gets ObjectExistsError).
   * An etag: replace only if the current object still has it (the loser gets PreconditionError).
   */
  ifNoneMatch?: '*';
  ifMatch?: string;
}

export interface GetResult {
  body: Readable;
  info: ObjectInfo;
  /** The inclusive byte range actually returned, when a range was asked for. */
  range?: { start: number; end: number };
}

export interface ListResult {
  objects: ObjectInfo[];
  /** With a delimiter: the key prefixes one level below `prefix`, each ending in the delimiter. */
  prefixes: string[];
}

/**
 * The object store under the warehouse, job archives and dependencies: a small, S3-shaped interface
 * so the table format and the agent never know whether they talk to a folder or to S3
 * (the role Iceberg's FileIO plays).
 *
 * Contract:
 * - `put` is atomic: readers see the old object or the whole new one, never a partial write.
 * - Conditional puts are atomic against other writers of the same store.
 * - `get` and `head` of a missing key: `get` throws ObjectNotFoundError, `head` returns undefined.
 * - A range starting past the end throws RangeNotSatisfiableError.
 * - `list` returns keys in lexicographic (byte) order.
 */
export interface ObjectStore {
  /** The root URI of this store, e.g. `file:///var/quarry/warehouse` or `s3://bucket/prefix`. */
  readonly uri: string;
  put(key: string, body: Uint8Array | string | Readable, options?: PutOptions): Promise<ObjectInfo>;
  get(key: string, range?: ByteRange): Promise<GetResult>;
  /** Reads a whole object (or a range of it) into memory. */
  getBytes(key: string, range?: ByteRange): Promise<Uint8Array>;
  head(key: string): Promise<ObjectInfo | undefined>;
  list(prefix: string, options?: { delimiter?: string }): Promise<ListResult>;
  /** Deletes an object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** The full URI of a key, e.g. for a manifest entry or an archive location. */
  uriOf(key: string): string;
}
