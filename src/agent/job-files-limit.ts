import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { FilesLimit } from '../protocol/agent/agent-protocol.ts';
import { isSkippedDirectory, isUndescendedDirectory } from './manifest-rules.ts';

/** Genie's defaults (JobMonitorServiceProperties): every minute; 64,000 files, 8 GiB per file, 16 GiB in all. */
export const DEFAULT_FILES_LIMIT: FilesLimit = {
  checkIntervalMs: 60_000,
  maxFiles: 64_000,
  maxFileBytes: 8 * 1024 ** 3,
  maxTotalBytes: 16 * 1024 ** 3,
};

// Entries of one folder are measured this many at a time: quick on a big folder, gentle on the disk.
const STAT_BATCH = 64;

/**
 * Measures a job directory against its limits and answers the first limit it breaks (a sentence
 * for the agent log), or undefined. The walk costs at most `maxFiles + 1` entries: it stops as soon
 * as any limit is broken, never follows symbolic links, and skips what the archive manifest skips
 * (temp folders; downloaded dependencies, which are never walked).
 */
export async function findFilesLimitBreach(root: string, limit: FilesLimit): Promise<string | undefined> {
  let entries = 0;
  let total = 0;
  const folders = [''];
  while (folders.length > 0) {
    const relative = folders.pop()!;
    let names: string[];
    try {
      names = (await readdir(path.join(root, relative), { withFileTypes: true })).map((d) => d.name);
    } catch {
      continue; // removed while we looked
    }
    for (let i = 0; i < names.length; i += STAT_BATCH) {
      const batch = names.slice(i, i + STAT_BATCH).map((name) => (relative ? `${relative}/${name}` : name));
      const infos = await Promise.all(batch.map((rel) => lstat(path.join(root, rel)).catch(() => undefined)));
      for (const [j, info] of infos.entries()) {
        if (!info) continue;
        const rel = batch[j]!;
        if (info.isDirectory()) {
          if (isSkippedDirectory(rel)) continue;
          if (!isUndescendedDirectory(rel)) folders.push(rel);
        } else if (info.isFile()) {
          if (info.size > limit.maxFileBytes) return `file ${rel} is ${info.size} bytes, over the limit of ${limit.maxFileBytes}`;
          total += info.size;
          if (total > limit.maxTotalBytes) return `the job directory holds more than ${limit.maxTotalBytes} bytes`;
        }
        entries++;
        if (entries > limit.maxFiles) return `the job directory holds more than ${limit.maxFiles} files and folders`;
      }
    }
  }
  return undefined;
}
