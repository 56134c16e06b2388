import { constants, existsSync } from 'node:fs';
import { lstat, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * Opening paths inside a job directory that the job itself may be changing under us: no symbolic
 * link is ever followed, in the last segment or in any folder on the way, and a FIFO or device
 * cannot block the opener. On Linux every segment is opened relative to the folder opened before
 * it (through `/proc/self/fd/<fd>/<name>`, the equivalent of openat), so a folder swapped for a link
 * between two checks is refused too; elsewhere each segment is checked with lstat first.
 */

/** A path inside the job directory crossed a link, or does not name a file or folder. */
export class NotConfinedError extends Error {}

const THROUGH_PROC = existsSync('/proc/self/fd');
const NO_FOLLOW = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Opens `segments` (already checked: no '', '.', '..' or '/') below `base`, which is trusted (the
 * agent's own jobs root). The result is a regular file or a folder; anything else — a link, a
 * socket, a FIFO, a missing entry — rejects (NotConfinedError, or the filesystem's ENOENT).
 */
export async function openConfined(base: string, segments: string[]): Promise<FileHandle> {
  let handle = await open(base, constants.O_RDONLY | constants.O_DIRECTORY);
  let fallbackPath = base;
  try {
    for (const [i, segment] of segments.entries()) {
      const last = i === segments.length - 1;
      const flags = NO_FOLLOW | (last ? 0 : constants.O_DIRECTORY);
      let next: FileHandle;
      if (THROUGH_PROC) {
        next = await open(`/proc/self/fd/${handle.fd}/${segment}`, flags).catch(refuseLink(segment));
      } else {
        fallbackPath = path.join(fallbackPath, segment);
        if ((await lstat(fallbackPath)).isSymbolicLink()) throw new NotConfinedError(`${segment} is a symbolic link`);
        next = await open(fallbackPath, flags).catch(refuseLink(segment));
      }
      await handle.close();
      handle = next;
    }
    const info = await handle.stat();
    if (!info.isFile() && !info.isDirectory()) throw new NotConfinedError('not a regular file or folder');
    return handle;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/** One entry of a confined folder: only regular files and folders, never what a link points to. */
export interface ConfinedEntry {
  name: string;
  directory: boolean;
  size: number;
  mtimeMs: number;
}

/**
 * Lists the folder open in `folder` (from openConfined) with lstat: links, FIFOs, sockets and
 * devices are left out, so no size or time from outside the job directory is reported.
 */
export async function listConfined(folder: FileHandle, fallbackPath: string): Promise<ConfinedEntry[]> {
  return (await listConfinedAll(folder, fallbackPath)).entries;
}

// Entries of one folder are looked at this many at a time: quick on a big folder, gentle on the disk.
const LSTAT_BATCH = 64;

/**
 * As listConfined, and also counts what it left out (`others`: links, FIFOs, sockets, devices),
 * for a caller that limits how many entries a folder may hold.
 */
export async function listConfinedAll(folder: FileHandle, fallbackPath: string): Promise<{ entries: ConfinedEntry[]; others: number }> {
  const at = THROUGH_PROC ? `/proc/self/fd/${folder.fd}` : fallbackPath;
  const names = await readdir(at);
  const entries: ConfinedEntry[] = [];
  let others = 0;
  for (let i = 0; i < names.length; i += LSTAT_BATCH) {
    const batch = names.slice(i, i + LSTAT_BATCH);
    const infos = await Promise.all(batch.map((name) => lstat(`${at}/${name}`).catch(() => undefined)));
    for (const [j, info] of infos.entries()) {
      if (!info) continue; // removed while we looked
      if (!(info.isFile() || info.isDirectory())) {
        others++;
        continue;
      }
      entries.push({ name: batch[j]!, directory: info.isDirectory(), size: info.isDirectory() ? 0 : info.size, mtimeMs: info.mtimeMs });
    }
  }
  return { entries, others };
}

/**
 * Appends `text` to the file `name` in the folder `segments` below `base` (created if missing), with
 * no link followed on the way or as the file: the agent's own log lines in a job directory must not
 * land wherever a link the job planted points.
 */
export async function appendConfined(base: string, segments: string[], name: string, text: string): Promise<void> {
  const folder = await openConfined(base, segments);
  try {
    const at = THROUGH_PROC ? `/proc/self/fd/${folder.fd}` : path.join(base, ...segments);
    const file = await open(`${at}/${name}`, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644).catch(refuseLink(name));
    try {
      if (!(await file.stat()).isFile()) throw new NotConfinedError(`${name} is not a regular file`);
      await file.appendFile(text);
    } finally {
      await file.close();
    }
  } finally {
    await folder.close();
  }
}

/**
 * Removes `name` (recursively; a link is removed, not followed) from the folder `segments` below
 * `base`, reached without following a link; a folder on the way that is missing or a link is left
 * alone.
 */
export async function removeConfined(base: string, segments: string[], name: string): Promise<void> {
  let folder: FileHandle;
  try {
    folder = await openConfined(base, segments);
  } catch {
    return;
  }
  try {
    await rm(`${THROUGH_PROC ? `/proc/self/fd/${folder.fd}` : path.join(base, ...segments)}/${name}`, { recursive: true, force: true });
  } finally {
    await folder.close();
  }
}

/** ELOOP (O_NOFOLLOW met a link) and ENOTDIR (a link or file where a folder should be) mean "not inside". */
function refuseLink(segment: string) {
  return (error: NodeJS.ErrnoException): never => {
    if (error.code === 'ELOOP' || error.code === 'ENOTDIR' || error.code === 'EMLINK') throw new NotConfinedError(`${segment} is a symbolic link or not a folder`);
    throw error;
  };
}
