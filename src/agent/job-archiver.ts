import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { S3Config } from '../config/config.ts';
import { contentTypeOf } from '../jobs/output/content-type.ts';
import { MANIFEST_PATH, type JobManifest, type ManifestEntry } from '../jobs/output/job-manifest.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import { isSkippedDirectory, isUndescendedDirectory } from './manifest-rules.ts';


/**
 * Builds the manifest of a job directory: every file and folder with size, times, md5 and type.
 * Symbolic links are left out and never followed (lstat), so nothing outside the job directory is
 * read or listed, and a link to a parent folder cannot make the walk unbounded.
 */
export async function buildManifest(jobId: string, root: string): Promise<JobManifest> {
  const entries: ManifestEntry[] = [];
  const walk = async (relative: string) => {
    const dir = path.join(root, relative);
    for (const dirent of await readdir(dir, { withFileTypes: true })) {
      const rel = relative ? `${relative}/${dirent.name}` : dirent.name;
      if (rel === MANIFEST_PATH) continue;
      const info = await lstat(path.join(dir, dirent.name)).catch(() => undefined);
      if (!info || info.isSymbolicLink()) continue;
      if (info.isDirectory()) {
        if (isSkippedDirectory(rel)) continue;
        entries.push({ path: rel, directory: true, size: 0, lastModified: Math.floor(info.mtimeMs) });
        if (!isUndescendedDirectory(rel)) await walk(rel);
      } else if (info.isFile()) {
        // A file the job deletes while the manifest is built is simply not part of it.
        const digest = await md5(path.join(dir, dirent.name)).catch(() => undefined);
        if (digest === undefined) continue;
        entries.push({ path: rel, directory: false, size: info.size, lastModified: Math.floor(info.mtimeMs), md5: digest, mimeType: contentTypeOf(rel) });
      }
    }
  };
  await walk('');
  return { jobId, created: Date.now(), entries };
}

/** Uploads every file of the manifest to `<archiveLocation>/<path>`, then the manifest itself. */
export async function archiveJobDirectory(jobId: string, root: string, archiveLocation: string, s3: S3Config): Promise<JobManifest> {
  const manifest = await buildManifest(jobId, root);
  const store = openObjectStore(archiveLocation, s3);
  for (const entry of manifest.entries) {
    if (entry.directory) continue;
    // O_NOFOLLOW: a file swapped for a link after the walk is refused, not followed. A file that
    // vanished since the walk fails here, as a rejected promise, not as an unhandled stream error.
    const handle = await open(path.join(root, ...entry.path.split('/')), constants.O_RDONLY | constants.O_NOFOLLOW);
    const body = handle.createReadStream({ autoClose: false });
    body.on('error', () => undefined);
    try {
      await store.put(entry.path, body, { contentType: entry.mimeType });
    } finally {
      body.destroy();
      await handle.close().catch(() => undefined);
    }
  }
  await store.put(MANIFEST_PATH, JSON.stringify(manifest), { contentType: 'application/json' });
  return manifest;
}

async function md5(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const hash = createHash('md5');
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } finally {
    await handle.close().catch(() => undefined);
  }
}
