import path from 'node:path';
import { listConfinedAll, openConfined } from './confined-open.ts';
import type { FilesLimit } from '../protocol/agent/agent-protocol.ts';
import { isSkippedDirectory, isUndescendedDirectory } from './manifest-rules.ts';

/** Genie's defaults (JobMonitorServiceProperties): every minute; 64,000 files, 8 GiB per file, 16 GiB in all. */
export const DEFAULT_FILES_LIMIT: FilesLimit = {
  checkIntervalMs: 60_000,
  maxFiles: 64_000,
  maxFileBytes: 8 * 1024 ** 3,
  maxTotalBytes: 16 * 1024 ** 3,
};

/**
 * Measures a job directory against its limits and answers the first limit it breaks (a sentence
 * for the agent log), or undefined. The walk costs at most `maxFiles + 1` entries: it stops as soon
 * as any limit is broken, and skips what the archive manifest skips (temp folders; downloaded
 * dependencies, which are never walked). Every folder is reached through the confined opener
 * (confined-open.ts), from the jobs root down, and listed relative to the folder it opened: a job
 * that swaps a folder (or its whole directory) for a link while the walk runs has it skipped, so
 * nothing outside the job directory is ever counted, measured or named in the answer. Links, FIFOs
 * and other special files count as entries (they still cost the archive one) but have no size.
 */
export async function findFilesLimitBreach(root: string, limit: FilesLimit): Promise<string | undefined> {
  const base = path.dirname(root);
  const top = path.basename(root);
  let entries = 0;
  let total = 0;
  const folders = [''];
  while (folders.length > 0) {
    const relative = folders.pop()!;
    const segments = relative ? [top, ...relative.split('/')] : [top];
    let listing: Awaited<ReturnType<typeof listConfinedAll>>;
    try {
      const folder = await openConfined(base, segments);
      try {
        listing = await listConfinedAll(folder, path.join(base, ...segments));
      } finally {
        await folder.close();
      }
    } catch {
      continue; // removed, or swapped for a link or a file, while we looked
    }
    entries += listing.others;
    if (entries > limit.maxFiles) return `the job directory holds more than ${limit.maxFiles} files and folders`;
    for (const entry of listing.entries) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.directory) {
        if (isSkippedDirectory(rel)) continue;
        if (!isUndescendedDirectory(rel)) folders.push(rel);
      } else {
        if (entry.size > limit.maxFileBytes) return `file ${rel} is ${entry.size} bytes, over the limit of ${limit.maxFileBytes}`;
        total += entry.size;
        if (total > limit.maxTotalBytes) return `the job directory holds more than ${limit.maxTotalBytes} bytes`;
      }
      entries++;
      if (entries > limit.maxFiles) return `the job directory holds more than ${limit.maxFiles} files and folders`;
    }
  }
  return undefined;
}
