import { readdir, rm } from 'node:fs/promises';
import type { DirectoryCleanup, JobStates } from '../protocol/agent/agent-protocol.ts';
import { isFinal } from '../protocol/agent/job-status.ts';
import { JobDirectory } from './job-directory.ts';

/** Genie's DiskCleanupTask defaults: daily, directories of jobs finished more than 3 days ago. */
export const DEFAULT_DIRECTORY_CLEANUP: DirectoryCleanup = { enabled: true, intervalMs: 86_400_000, retentionMs: 3 * 86_400_000 };

// Asked of the server this many at a time (the agent API accepts up to 1000).
const STATES_BATCH = 500;

export interface DirectoryCleanupContext {
  jobsRoot: string;
  /** What the server knows of these jobs (unknown ids left out). */
  states(jobIds: string[]): Promise<JobStates['jobs']>;
  /** True for a job this agent is running (or setting up) right now. */
  busy(jobId: string): boolean;
  /** True for a job launched by this agent before a restart and not yet reported (see AgentStateFolder). */
  adoptable(jobId: string): Promise<boolean>;
}

/**
 * Deletes the local directories of jobs that the server has as finished, ARCHIVED and ended more
 * than `retentionMs` before `now` (reference/genie.md 4.7); their output is served from the archive
 * from then on. Everything else is kept: running jobs, jobs awaiting adoption
 * (recorded in the agent's state folder), jobs whose archive failed or is unknown (the directory is then the only
 * copy), and folders the server does not know. Answers the ids deleted.
 */
export async function deleteArchivedJobDirectories(context: DirectoryCleanupContext, retentionMs: number, now: number): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(context.jobsRoot, { withFileTypes: true });
  } catch {
    return [];
  }
  const candidates: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || context.busy(entry.name)) continue;
    if (!(await context.adoptable(entry.name))) candidates.push(entry.name);
  }
  const cutoff = now - retentionMs;
  const deleted: string[] = [];
  for (let i = 0; i < candidates.length; i += STATES_BATCH) {
    for (const job of await context.states(candidates.slice(i, i + STATES_BATCH))) {
      const ended = job.finished ?? job.updated;
      if (!isFinal(job.status) || job.archiveStatus !== 'ARCHIVED' || ended > cutoff || context.busy(job.id)) continue;
      await rm(new JobDirectory(context.jobsRoot, job.id).root, { recursive: true, force: true });
      deleted.push(job.id);
    }
  }
  return deleted;
}
