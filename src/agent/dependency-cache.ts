import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ResourceFetcher } from './resource-fetcher.ts';

export interface CacheStats {
  hits: number;
  misses: number;
  /** Resources whose source gives no version; fetched every time. */
  uncached: number;
}

export type CacheOutcome = 'hit' | 'miss' | 'uncached';

/**
 * The agent's download cache (reference/genie.md 4.5): an entry is keyed by the URI and the
 * resource's version (last-modified time and etag), so a changed file behind the same URI is fetched
 * again and an unchanged one is copied from disk.
 *
 * Layout: `<root>/<sha256(uri)>/<version>/data`. Concurrent jobs and agents share it safely without
 * locks: each download goes to its own temp file and is renamed into place atomically; two racing
 * downloads of one version write the same bytes, and whichever rename lands last wins. Older
 * versions of a URI are removed after a new one lands.
 */
export class DependencyCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, uncached: 0 };

  constructor(
    private readonly root: string,
    private readonly fetcher: ResourceFetcher,
  ) {}

  /** Places the resource at `target` (which must not exist) and says whether the cache served it. */
  async place(uri: string, target: string): Promise<CacheOutcome> {
    const version = await this.fetcher.version(uri);
    if (!version) {
      this.stats.uncached++;
      await this.fetcher.download(uri, target);
      return 'uncached';
    }
    const uriDir = path.join(this.root, createHash('sha256').update(uri).digest('hex'));
    const versionName = `${version.lastModified}-${createHash('sha256').update(version.etag ?? '').digest('hex').slice(0, 16)}`;
    const data = path.join(uriDir, versionName, 'data');
    let outcome: CacheOutcome = 'hit';
    if (!(await exists(data))) {
      outcome = 'miss';
      await mkdir(path.dirname(data), { recursive: true });
      const temp = `${data}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await this.fetcher.download(uri, temp);
        await rename(temp, data);
      } finally {
        await rm(temp, { force: true });
      }
      void this.removeOtherVersions(uriDir, versionName);
    }
    if (outcome === 'hit') this.stats.hits++;
    else this.stats.misses++;
    await copyFile(data, target);
    return outcome;
  }

  private async removeOtherVersions(uriDir: string, keep: string): Promise<void> {
    try {
      for (const name of await readdir(uriDir)) if (name !== keep) await rm(path.join(uriDir, name), { recursive: true, force: true });
    } catch {
      // Best effort: a leftover old version only costs disk space.
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
