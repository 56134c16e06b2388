import { readFile } from 'node:fs/promises';

/**
 * The start time of process `pid` (field 22 of /proc/<pid>/stat, in clock ticks since boot), which
 * tells a process from a later one that reused its pid; undefined when it is gone or there is no /proc.
 */
export async function processStartTime(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'latin1').catch(() => undefined);
  if (!stat) return undefined;
  // "pid (comm) state ppid pgrp …": after the last ')', field 3 is at index 0, field 22 at index 19.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/**
 * Whether `pid` is still the leader the agent launched for job `jobId`: it leads its own process
 * group, its start time is the one recorded at launch, and the environment it was started with
 * carries the job's GENIE_JOB_ID (set by the agent at launch; a process cannot change another's).
 * A record rewritten to name any other process — the agent itself, another job, a system
 * service — fails this, so the agent never signals it.
 */
export async function isJobLeader(pid: number, jobId: string, startTime: string | undefined): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid || startTime === undefined) return false;
  const stat = await readFile(`/proc/${pid}/stat`, 'latin1').catch(() => undefined);
  if (!stat) return false;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X' || Number(fields[2]) !== pid || fields[19] !== startTime) return false;
  const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => undefined);
  return environ !== undefined && environ.split('\0').includes(`GENIE_JOB_ID=${jobId}`);
}
