import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ObjectStore } from '../storage/object-store.ts';
import { localFileOf, parseLocation } from './object-location.ts';

/** Opens the object store rooted at `file:///` or `s3://bucket` (openObjectStore with settings bound). */
export type StoreOpener = (rootUri: string) => ObjectStore;

/**
 * Decides which locations a FileIO may touch. `check` resolves when `uri` may be read and written,
 * and rejects (naming `field` and the location) when not; it must not touch the location's contents.
 */
export interface LocationGuard {
  check(uri: string, field?: string): Promise<void>;
}

/**
 * File access by full URI, the role of Iceberg's FileIO: manifests and metadata record absolute
 * locations (`file:/…`, `file:///…`, `s3://bucket/…`; see parseLocation), so the table code resolves
 * each one to a store and key. Locations are opaque: an object is read and written at exactly the
 * characters recorded, never URL-decoded. Depends only on the ObjectStore interface; the opener
 * decides which implementation serves a URI. With a guard (the warehouse's allowed-locations rule)
 * every access is checked first: the last line against a location that slipped past the entry points,
 * or one recorded before the rule existed.
 */
export class FileIO {
  private readonly stores = new Map<string, ObjectStore>();

  constructor(
    private readonly open: StoreOpener,
    /** Where remote objects are staged for DuckDB, which reads only local files here. */
    readonly cacheDir: string = path.join(os.tmpdir(), 'quarry-object-cache'),
    /** Checked before every access; absent, any location the stores accept is used. */
    readonly guard?: LocationGuard,
  ) {}

  /** The store and key behind a URI, once the guard allows it. */
  private async resolve(uri: string): Promise<{ store: ObjectStore; key: string }> {
    const { root, key } = parseLocation(uri);
    await this.guard?.check(uri);
    return { store: this.storeFor(root), key };
  }

  private storeFor(root: string): ObjectStore {
    let store = this.stores.get(root);
    if (!store) {
      store = this.open(root);
      this.stores.set(root, store);
    }
    return store;
  }

  async read(uri: string): Promise<Uint8Array> {
    const { store, key } = await this.resolve(uri);
    return store.getBytes(key);
  }

  /** Writes a whole object; `createOnly` fails with ObjectExistsError if something is there. */
  async write(uri: string, body: Uint8Array | string, options: { createOnly?: boolean } = {}): Promise<void> {
    const { store, key } = await this.resolve(uri);
    await store.put(key, body, options.createOnly ? { ifNoneMatch: '*' } : {});
  }

  /** Copies a local file to a location (a data file DuckDB wrote). */
  async upload(localPath: string, uri: string): Promise<void> {
    const { store, key } = await this.resolve(uri);
    await store.put(key, createReadStream(localPath));
  }

  async exists(uri: string): Promise<boolean> {
    const { store, key } = await this.resolve(uri);
    return (await store.head(key)) !== undefined;
  }

  async size(uri: string): Promise<number | undefined> {
    const { store, key } = await this.resolve(uri);
    return (await store.head(key))?.size;
  }

  async delete(uri: string): Promise<void> {
    const { store, key } = await this.resolve(uri);
    await store.delete(key);
  }

  /** Every object under a location prefix, as full URIs. */
  async list(prefixUri: string): Promise<{ uri: string; size: number }[]> {
    const base = prefixUri.replace(/\/+$/, '') + '/';
    const { store, key } = await this.resolve(base + 'x');
    const prefix = key.slice(0, -1);
    const { objects } = await store.list(prefix);
    return objects.map((o) => ({ uri: base + o.key.slice(prefix.length), size: o.size }));
  }

  /**
   * A local path DuckDB can read for a location: the file itself for `file:` locations, else a copy in
   * the cache (named by the URI's hash; data files are immutable, so a cached copy never goes stale).
   */
  async localPath(uri: string): Promise<string> {
    const local = localFileOf(uri);
    if (local !== undefined) {
      await this.guard?.check(uri);
      return local;
    }
    const target = path.join(this.cacheDir, createHash('sha256').update(uri).digest('hex').slice(0, 32) + path.extname(uri));
    if (existsSync(target)) return target;
    await mkdir(this.cacheDir, { recursive: true });
    const { store, key } = await this.resolve(uri);
    const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.part`;
    try {
      const { body } = await store.get(key);
      await pipeline(body, createWriteStream(temp));
      await rename(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
    return target;
  }
}
