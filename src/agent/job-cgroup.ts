import { access, mkdir, readFile, rmdir, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A cgroup v2 per job: the one record of a job's processes that no process of the job can leave by
 * itself (as the agent's user, without write access to the cgroup tree above it). A process that
 * clears its environment (`env -i`), starts a new session (`setsid`) or daemonizes by a double fork
 * still stays in the cgroup its parent was in, so the agent finds and kills every descendant there.
 *
 * The job's cgroup is a child of the agent's own (`0::<path>` in /proc/self/cgroup, below the cgroup2
 * mount), named after the job. Creating it needs a writable cgroup2 tree — a root agent, or a
 * delegated systemd unit; elsewhere `createJobCgroup` answers why not, and the agent falls back to
 * the process group and the GENIE_JOB_ID environment (see job-process-reaper.ts).
 */
export interface JobCgroup {
  /** The cgroup's folder, e.g. /sys/fs/cgroup/…/quarry-job-<id>. */
  readonly path: string;
}

/** The outcome of trying to give a job its cgroup: the cgroup, or the reason there is none. */
export type JobCgroupResult = { cgroup: JobCgroup } | { unavailable: string };

/** The cgroup2 folder the agent itself runs in, or why there is none. Read once per agent process. */
let ownCgroup: Promise<{ path: string } | { unavailable: string }> | undefined;

async function findOwnCgroup(): Promise<{ path: string } | { unavailable: string }> {
  const mounts = await readFile('/proc/self/mounts', 'utf8').catch(() => '');
  const mount = mounts
    .split('\n')
    .map((line) => line.split(' '))
    .find((fields) => fields[2] === 'cgroup2')?.[1];
  if (!mount) return { unavailable: 'no cgroup2 filesystem is mounted (see /proc/self/mounts)' };
  const own = (await readFile('/proc/self/cgroup', 'utf8').catch(() => ''))
    .split('\n')
    .find((line) => line.startsWith('0::'))
    ?.slice(3);
  if (own === undefined) return { unavailable: 'this process has no cgroup v2 path in /proc/self/cgroup' };
  return { path: path.join(mount.replace(/\\040/g, ' '), own) };
}

/**
 * Creates the job's cgroup below the agent's own. Answers `unavailable` with a sentence for the
 * agent's log when the tree is not writable (the job then runs without one). An existing cgroup of
 * the same name — left by an agent that died — is reused.
 */
export async function createJobCgroup(jobId: string): Promise<JobCgroupResult> {
  ownCgroup ??= findOwnCgroup();
  const own = await ownCgroup;
  if ('unavailable' in own) return own;
  const folder = path.join(own.path, jobCgroupName(jobId));
  try {
    await mkdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      return { unavailable: `cannot create cgroup ${folder} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): the cgroup2 tree is not writable by the agent` };
    }
  }
  try {
    await access(path.join(folder, 'cgroup.procs'));
  } catch {
    return { unavailable: `${folder} is not a cgroup2 folder (no cgroup.procs)` };
  }
  return { cgroup: { path: folder } };
}

/** Moves process `pid` into the cgroup (the agent does this for the job's leader, before it runs the job). */
export async function enterJobCgroup(cgroup: JobCgroup, pid: number): Promise<void> {
  await writeFile(path.join(cgroup.path, 'cgroup.procs'), `${pid}\n`);
}

/** The pids in the cgroup; none when it is gone. */
export async function cgroupMembers(cgroup: JobCgroup): Promise<number[]> {
  const text = await readFile(path.join(cgroup.path, 'cgroup.procs'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}

/**
 * SIGKILLs every process in the cgroup at once through `cgroup.kill` (Linux 5.14+), which also
 * catches a process forking at that moment; answers false where the kernel lacks it (the caller
 * signals the members one by one instead).
 */
export async function killCgroup(cgroup: JobCgroup): Promise<boolean> {
  return writeFile(path.join(cgroup.path, 'cgroup.kill'), '1').then(
    () => true,
    () => false,
  );
}

/** How long removal waits for killed processes to be reaped (a zombie still keeps its cgroup busy). */
const REMOVE_TRIES = 50;
const REMOVE_POLL_MS = 100;

/**
 * Removes the cgroup once it is empty. Processes just killed stay in it as zombies until their
 * parent (often init) reaps them, so EBUSY is retried for a while; a cgroup still busy after that,
 * or already gone, is left as it is.
 */
export async function removeJobCgroup(cgroup: JobCgroup): Promise<void> {
  for (let attempt = 0; attempt < REMOVE_TRIES; attempt++) {
    try {
      await rmdir(cgroup.path);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EBUSY') return;
      await new Promise((resolve) => setTimeout(resolve, REMOVE_POLL_MS));
    }
  }
}

function jobCgroupName(jobId: string): string {
  return `quarry-job-${jobId.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

const CGROUP2_SUPER_MAGIC = 0x63677270;

/**
 * The cgroup a saved record names for job `jobId`, if it is one: an absolute folder named for that
 * job, on a cgroup2 filesystem. A record rewritten to name a plain folder with a `cgroup.procs`
 * listing other processes, or another job's cgroup, is refused (undefined).
 */
export async function trustedJobCgroup(folder: string | undefined, jobId: string): Promise<JobCgroup | undefined> {
  if (!folder || !path.isAbsolute(folder) || path.normalize(folder) !== folder || path.basename(folder) !== jobCgroupName(jobId)) return undefined;
  const info = await statfs(folder).catch(() => undefined);
  return info?.type === CGROUP2_SUPER_MAGIC ? { path: folder } : undefined;
}
