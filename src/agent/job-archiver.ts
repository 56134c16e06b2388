import { createHash } from 'node:crypto';
import path from 'node:path';
import type { S3Config } from '../config/config.ts';
import { contentTypeOf } from '../protocol/agent/content-type.ts';
import { MANIFEST_PATH, type JobManifest, type ManifestEntry } from '../protocol/agent/job-manifest.ts';
import { checkObjectKey } from '../storage/object-key.ts';
import { openObjectStore } from '../storage/open-object-store.ts';
import { listConfined, openConfined } from './confined-open.ts';
import { DEFAULT_FILES_LIMIT } from './job-files-limit.ts';
import { isSkippedDirectory, isUndescendedDirectory } from './manifest-rules.ts';


/**
 * Builds the manifest of a job directory: every file and folder with size, times, md5 and type,
 * breadth first, so that the top of the directory (stdout, stderr, the run script, genie/logs) comes
 * first. Nothing outside the job directory is read or listed: symbolic links are left out and never
 * followed, in any folder on the way either (see confined-open.ts), and FIFOs, sockets and devices
 * are skipped, and so are names no object key can carry. The walk stops after `maxEntries` entries (the files limit), so a job that makes
 * millions of files costs a bounded walk, bounded memory and a manifest marked `truncated`.
 */
export async function buildManifest(jobId: string, root: string, maxEntries = DEFAULT_FILES_LIMIT.maxFiles): Promise<JobManifest> {
  const entries: ManifestEntry[] = [];
  const base = path.dirname(root);
  const top = path.basename(root);
  // genie/ (the agent's logs) first, so a job that fills its directory past the limit cannot push them out.
  const folders: string[] = ['genie', ''];
  let truncated = false;
  walk: for (let next = 0; next < folders.length; next++) {
    const relative = folders[next]!;
    const segments = [top, ...(relative ? relative.split('/') : [])];
    let listing: Awaited<ReturnType<typeof listConfined>>;
    try {
      const folder = await openConfined(base, segments);
      try {
        listing = await listConfined(folder, path.join(base, ...segments));
      } finally {
        await folder.close();
      }
    } catch {
      continue; // the job removed it, or swapped it for a link, while we walked
    }
    for (const child of listing) {
      const rel = relative ? `${relative}/${child.name}` : child.name;
      if (rel === MANIFEST_PATH) continue;
      // A name no object store takes (a newline, a backslash; a path past 1,024 characters) is left
      // out: one such file must not cost the job its whole archive, stdout and stderr included.
      if (!archivable(rel)) continue;
      if (entries.length >= maxEntries) {
        truncated = true;
        break walk;
      }
      if (child.directory) {
        if (isSkippedDirectory(rel)) continue;
        entries.push({ path: rel, directory: true, size: 0, lastModified: Math.floor(child.mtimeMs) });
        // Folders under genie/ are walked next, before the rest of the job's files.
        if (rel.startsWith('genie/') && !isUndescendedDirectory(rel)) folders.splice(next + 1, 0, rel);
        else if (!isUndescendedDirectory(rel) && rel !== 'genie') folders.push(rel);
      } else {
        // A file the job deletes (or swaps for a link) while the manifest is built is simply not part of it.
        const digest = await md5(base, [...segments, child.name]).catch(() => undefined);
        if (digest === undefined) continue;
        entries.push({ path: rel, directory: false, size: child.size, lastModified: Math.floor(child.mtimeMs), md5: digest, mimeType: contentTypeOf(rel) });
      }
    }
  }
  return { jobId, created: Date.now(), entries, ...(truncated ? { truncated: true } : {}) };
}

/**
 * Uploads every file of the manifest to `<archiveLocation>/<path>`, then the manifest itself. The
 * walk is bounded by `maxEntries`; every read goes through a confined handle, and a file that
 * vanished or changed kind since the walk rejects here (a stream error included), never as an
 * unhandled error event that would end the agent.
 */
export async function archiveJobDirectory(jobId: string, root: string, archiveLocation: string, s3: S3Config, maxEntries?: number): Promise<JobManifest> {
  const manifest = await buildManifest(jobId, root, maxEntries);
  const store = openObjectStore(archiveLocation, s3);
  const base = path.dirname(root);
  const top = path.basename(root);
  for (const entry of manifest.entries) {
    if (entry.directory) continue;
    const handle = await openConfined(base, [top, ...entry.path.split('/')]);
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

function archivable(relative: string): boolean {
  try {
    checkObjectKey(relative);
    return true;
  } catch {
    return false;
  }
}

async function md5(base: string, segments: string[]): Promise<string> {
  const handle = await openConfined(base, segments);
  try {
    const hash = createHash('md5');
    for await (const chunk of handle.createReadStream({ autoClose: false })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } finally {
    await handle.close().catch(() => undefined);
  }
}
