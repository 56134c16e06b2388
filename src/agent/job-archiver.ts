import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { S3Config } from '../config/config.ts';
import { contentTypeOf } from '../jobs/output/content-type.ts';
import { MANIFEST_PATH, type JobManifest, type ManifestEntry } from '../jobs/output/job-manifest.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import { isSkippedDirectory, isUndescendedDirectory } from './manifest-rules.ts';


/** Builds the manifest of a job directory: every file and folder with size, times, md5 and type. */
export async function buildManifest(jobId: string, root: string): Promise<JobManifest> {
  const entries: ManifestEntry[] = [];
  const walk = async (relative: string) => {
    const dir = path.join(root, relative);
    for (const dirent of await readdir(dir, { withFileTypes: true })) {
      const rel = relative ? `${relative}/${dirent.name}` : dirent.name;
      if (rel === MANIFEST_PATH) continue;
      const info = await stat(path.join(dir, dirent.name)).catch(() => undefined);
      if (!info) continue;
      if (info.isDirectory()) {
        if (isSkippedDirectory(rel)) continue;
        entries.push({ path: rel, directory: true, size: 0, lastModified: Math.floor(info.mtimeMs) });
        if (!isUndescendedDirectory(rel)) await walk(rel);
      } else if (info.isFile()) {
        entries.push({ path: rel, directory: false, size: info.size, lastModified: Math.floor(info.mtimeMs), md5: await md5(path.join(dir, dirent.name)), mimeType: contentTypeOf(rel) });
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
    if (!entry.directory) await store.put(entry.path, createReadStream(path.join(root, ...entry.path.split('/'))), { contentType: entry.mimeType });
  }
  await store.put(MANIFEST_PATH, JSON.stringify(manifest), { contentType: 'application/json' });
  return manifest;
}

function md5(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('md5');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
