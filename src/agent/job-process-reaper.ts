import { readdir, readFile } from 'node:fs/promises';
import { cgroupMembers, killCgroup, removeJobCgroup, type JobCgroup } from './job-cgroup.ts';

/** What identifies the processes of one job. */
export interface JobProcessIdentity {
  /**
   * The job's process group: the run script's pid, which leads its own session and group. Absent
   * when it could not be verified (an adopted job whose recorded leader is gone or is not the job's).
   */
  pgid?: number;
  /** The job's id, as the run script exports it in GENIE_JOB_ID. */
  jobId: string;
  /** The job's cgroup, where the machine gave it one (job-cgroup.ts): every descendant is in it. */
  cgroup?: JobCgroup;
}

const POLL_MS = 100;
/** Rounds of "find, SIGKILL" after the grace: a process forking while it is killed needs a few. */
const KILL_ROUNDS = 20;

/**
 * Ends every process of a job, whatever the job did: SIGTERM to each one found, up to `deadline`
 * (epoch ms) for them to go, then SIGKILL until none is found. A process belongs to the job when it
 * is in the job's process group, or — for those that left it (setsid, double fork, a new group) —
 * when its environment carries the job's GENIE_JOB_ID (`/proc/<pid>/environ`, the environment it
 * was started with, which a child inherits), or — for those that also cleared their environment
 * (`env -i`) — when it is in the job's cgroup. Answers the pids that still remained after the grace
 * (empty when the job had already ended cleanly), and removes the emptied cgroup. Without /proc the
 * process group and the cgroup alone are used.
 */
export async function endJobProcesses(job: JobProcessIdentity, deadline: number): Promise<number[]> {
  const remained = await terminate(job, deadline);
  if (job.cgroup) await removeJobCgroup(job.cgroup);
  return remained;
}

async function terminate(job: JobProcessIdentity, deadline: number): Promise<number[]> {
  let found = await findJobProcesses(job);
  if (found.length === 0) return [];
  signalAll(job, found, 'SIGTERM');
  while (Date.now() < deadline) {
    await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
    found = await findJobProcesses(job);
    if (found.length === 0) return [];
  }
  const remained = found;
  for (let round = 0; round < KILL_ROUNDS && found.length > 0; round++) {
    // cgroup.kill reaches a process forked between our listing and our signal, too.
    if (job.cgroup) await killCgroup(job.cgroup);
    signalAll(job, found, 'SIGKILL');
    await sleep(round === 0 ? 0 : POLL_MS / 2);
    found = await findJobProcesses(job);
  }
  return remained;
}

/** Signals the group, and each process found (the strays outside the group). */
function signalAll(job: JobProcessIdentity, pids: number[], signal: NodeJS.Signals): void {
  for (const target of [...(hasGroup(job) ? [-job.pgid!] : []), ...pids]) {
    try {
      process.kill(target, signal);
    } catch {
      // Already gone (or never ours to signal).
    }
  }
}

/**
 * The live processes of the job (zombies left out: they have ended and only wait for their parent
 * to collect them, which in a container may never happen). The group's leader counts only if it
 * still runs.
 */
export async function findJobProcesses(job: JobProcessIdentity): Promise<number[]> {
  const inCgroup = new Set(job.cgroup ? await cgroupMembers(job.cgroup) : []);
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [...new Set([...(hasGroup(job) && groupAlive(job.pgid!) ? [job.pgid!] : []), ...inCgroup])];
  }
  const marker = Buffer.from(`GENIE_JOB_ID=${job.jobId}\0`);
  const found: number[] = [];
  await Promise.all(
    names.map(async (name) => {
      if (!/^\d+$/.test(name)) return;
      const pid = Number(name);
      if (pid === process.pid) return;
      const stat = await readFile(`/proc/${pid}/stat`, 'latin1').catch(() => undefined);
      if (!stat) return;
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so read after the last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') return;
      if ((hasGroup(job) && Number(pgrp) === job.pgid) || inCgroup.has(pid)) return void found.push(pid);
      const environ = await readFile(`/proc/${pid}/environ`).catch(() => undefined);
      if (environ && startsOrContains(environ, marker)) found.push(pid);
    }),
  );
  return found;
}

/** Whether `environ` (NUL-separated) holds `marker` (`NAME=value\0`) as a whole entry. */
function startsOrContains(environ: Buffer, marker: Buffer): boolean {
  if (environ.subarray(0, marker.length).equals(marker)) return true;
  // An entry in the middle is preceded by the previous entry's NUL.
  const inner = Buffer.concat([Buffer.from([0]), marker]);
  if (environ.includes(inner)) return true;
  // The last entry may lack its terminating NUL.
  const last = marker.subarray(0, marker.length - 1);
  return environ.length >= last.length && environ.subarray(environ.length - last.length).equals(last) && (environ.length === last.length || environ[environ.length - last.length - 1] === 0);
}

/** A usable group id: 0 and 1 (and negatives) would signal the agent's own group, or everything. */
function hasGroup(job: JobProcessIdentity): boolean {
  return job.pgid !== undefined && Number.isInteger(job.pgid) && job.pgid > 1;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
