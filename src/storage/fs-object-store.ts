import { createReadStream } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { resolveRange } from './byte-range.ts';
import { checkObjectKey, checkObjectPrefix } from './object-key.ts';
import type { ByteRange, GetResult, ListResult, ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';
import { ObjectChangedError, ObjectExistsError, ObjectNotFoundError, RangeNotSatisfiableError } from './object-store-errors.ts';

// In-flight writes live beside their target under this name, so a rename is atomic (same file
// system) and a crashed writer leaves only a temp file that listings skip.
const TEMP_MARKER = '.quarry-tmp-';

// Each retry follows a delete that emptied the folder; only a storm of such deletes exhausts this.
const MAX_FOLDER_RACES = 10;

/**
 * The embedded object store: a local folder. Writes go to a temp file and are renamed into place;
 * create-only writes use link(2), which fails atomically if the target exists.
 * `ifMatch` is checked and applied under a per-key lock in this process only: concurrent writers
 * in other processes must not rely on it (Quarry's commits swap pointers in the database instead).
 */
export class FsObjectStore implements ObjectStore {
  readonly uri: string;
  private readonly root: string;
  private readonly keyLocks = new Map<string, Promise<unknown>>();

  constructor(rootUri: string) {
    this.root = path.resolve(fileURLToPath(rootUri));
    this.uri = pathToFileURL(this.root).href.replace(/\/+$/, '');
  }

  uriOf(key: string): string {
    return `${this.uri}/${checkObjectKey(key)}`;
  }

  private pathOf(key: string): string {
    return path.join(this.root, ...checkObjectKey(key).split('/'));
  }

  async put(key: string, body: Uint8Array | string | Readable, options: PutOptions = {}): Promise<ObjectInfo> {
    const target = this.pathOf(key);
    const temp = `${target}${TEMP_MARKER}${randomBytes(6).toString('hex')}`;
    try {
      await this.createTemp(temp, body);
      if (options.ifNoneMatch === '*') {
        try {
          await link(temp, target);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ObjectExistsError(this.uriOf(key));
          throw error;
        }
        await unlink(temp);
      } else if (options.ifMatch !== undefined) {
        const expected = options.ifMatch;
        await this.withKeyLock(key, async () => {
          const current = await this.head(key);
          if (!current || current.etag !== expected) throw new ObjectChangedError(this.uriOf(key));
          await rename(temp, target);
        });
      } else {
        await rename(temp, target);
      }
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return (await this.head(key))!;
  }

  private async withKeyLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.keyLocks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.keyLocks.set(key, next);
    try {
      return await next;
    } finally {
      if (this.keyLocks.get(key) === next) this.keyLocks.delete(key);
    }
  }

  async get(key: string, range?: ByteRange): Promise<GetResult> {
    const info = await this.head(key);
    if (!info) throw new ObjectNotFoundError(this.uriOf(key));
    if (!range) return { body: createReadStream(this.pathOf(key)), info };
    const resolved = resolveRange(range, info.size);
    if (!resolved) throw new RangeNotSatisfiableError(this.uriOf(key), info.size);
    return { body: createReadStream(this.pathOf(key), resolved), info, range: resolved };
  }

  async getBytes(key: string, range?: ByteRange): Promise<Uint8Array> {
    const { body } = await this.get(key, range);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const s = await stat(this.pathOf(key), { bigint: true });
      if (!s.isFile()) return undefined;
      return { key, size: Number(s.size), lastModified: new Date(Number(s.mtimeMs)), etag: `${s.ino.toString(16)}-${s.size.toString(16)}-${s.mtimeNs.toString(16)}` };
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw error;
    }
  }

  async list(prefix: string, options: { delimiter?: string } = {}): Promise<ListResult> {
    checkObjectPrefix(prefix);
    // Walk only the folder that can hold keys with this prefix.
    const slash = prefix.lastIndexOf('/');
    const base = slash >= 0 ? prefix.slice(0, slash + 1) : '';
    const keys: string[] = [];
    await this.walk(base, keys);
    const matching = keys.filter((k) => k.startsWith(prefix)).sort(byteOrder);
    const objects: ObjectInfo[] = [];
    const prefixes = new Set<string>();
    for (const key of matching) {
      const rest = key.slice(prefix.length);
      const cut = options.delimiter ? rest.indexOf(options.delimiter) : -1;
      if (cut >= 0) {
        prefixes.add(prefix + rest.slice(0, cut + options.delimiter!.length));
        continue;
      }
      const info = await this.head(key);
      if (info) objects.push(info);
    }
    return { objects, prefixes: [...prefixes].sort(byteOrder) };
  }

  private async walk(relativeDir: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(path.join(this.root, ...relativeDir.split('/').filter(Boolean)), { withFileTypes: true });
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.includes(TEMP_MARKER)) continue;
      const key = relativeDir + entry.name;
      if (entry.isDirectory()) await this.walk(`${key}/`, out);
      else if (entry.isFile()) out.push(key);
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    await rm(file, { force: true });
    // Folders exist only to hold keys, as on S3: remove the ones this delete emptied, up to the root.
    for (let dir = path.dirname(file); dir.startsWith(this.root + path.sep); dir = path.dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break; // not empty (or already gone): the folders above are not empty either
      }
    }
  }

  /**
   * Writes the temp file, creating its folder. A concurrent delete may remove the empty folder while
   * mkdir -p is checking it (it found the folder, then cannot stat it: ENOENT) or between the mkdir
   * and the open; either way nothing is written yet, so the whole step is tried again. Once the temp
   * file exists its folder is not empty, and no delete removes it.
   */
  private async createTemp(temp: string, body: Uint8Array | string | Readable): Promise<void> {
    // Only the creation of the empty file is retried: a stream's bytes cannot be read twice, and an
    // error while copying them (the source's own ENOENT included) belongs to the caller.
    const handle = await this.openTemp(temp);
    // The write stream closes the handle when it finishes or fails.
    if (body instanceof Readable) return pipeline(body, handle.createWriteStream());
    try {
      await handle.writeFile(body);
    } finally {
      await handle.close();
    }
  }

  private async openTemp(temp: string) {
    for (let attempt = 0; ; attempt++) {
      try {
        await mkdir(path.dirname(temp), { recursive: true });
        return await open(temp, 'w');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= MAX_FOLDER_RACES) throw error;
      }
    }
  }
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
