/**
 * Genie's job status machine (reference/genie.md 1.4). Transitions are compare-and-set in the
 * database (JobStore.changeStatus); a final status never changes.
 */
export const JOB_STATUSES = ['RESERVED', 'RESOLVED', 'ACCEPTED', 'CLAIMED', 'INIT', 'RUNNING', 'SUCCEEDED', 'KILLED', 'FAILED', 'INVALID'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const ACTIVE_STATUSES: readonly JobStatus[] = ['RESERVED', 'RESOLVED', 'ACCEPTED', 'CLAIMED', 'INIT', 'RUNNING'];
export const FINAL_STATUSES: readonly JobStatus[] = ['SUCCEEDED', 'KILLED', 'FAILED', 'INVALID'];
/** Statuses before an agent has claimed the job: a kill finishes these directly on the server. */
export const UNCLAIMED_STATUSES: readonly JobStatus[] = ['RESERVED', 'RESOLVED', 'ACCEPTED'];
/** Statuses an agent may claim from. */
export const CLAIMABLE_STATUSES: readonly JobStatus[] = ['RESOLVED', 'ACCEPTED'];
/** Statuses in which an agent is responsible for the job and must heartbeat. */
export const AGENT_OWNED_STATUSES: readonly JobStatus[] = ['CLAIMED', 'INIT', 'RUNNING'];

export function isFinal(status: JobStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

const NEXT: Record<JobStatus, readonly JobStatus[]> = {
  RESERVED: ['RESOLVED', 'FAILED', 'KILLED'],
  RESOLVED: ['ACCEPTED', 'CLAIMED', 'FAILED', 'KILLED'],
  ACCEPTED: ['CLAIMED', 'FAILED', 'KILLED'],
  CLAIMED: ['INIT', 'FAILED', 'KILLED', 'INVALID'],
  INIT: ['RUNNING', 'FAILED', 'KILLED', 'INVALID'],
  RUNNING: ['SUCCEEDED', 'FAILED', 'KILLED'],
  SUCCEEDED: [],
  KILLED: [],
  FAILED: [],
  INVALID: [],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return NEXT[from].includes(to);
}

export const ARCHIVE_STATUSES = ['PENDING', 'ARCHIVED', 'FAILED', 'DISABLED', 'NO_FILES', 'UNKNOWN'] as const;
export type ArchiveStatus = (typeof ARCHIVE_STATUSES)[number];

/** Genie's status messages, word for word, so clients that match on them keep working. */
export const StatusMessages = {
  reserved: 'Job reserved.',
  resolved: 'Job resolved.',
  accepted: 'The job has been accepted by the system for execution',
  claimed: 'Job claimed by agent.',
  initializing: 'Preparing to launch job',
  running: 'Job is Running.',
  succeeded: 'Job finished successfully.',
  failed: 'Job failed.',
  setupFailed: 'Job script failed during setup. See setup log for details',
  killedByUser: 'Job was killed by user.',
  killedBySystem: 'Job was killed by system.',
  timedOut: 'Job exceeded timeout.',
  filesLimit: 'Job files exceeded limit.',
  resolutionFailed: 'Failed to resolve job given original request and available resources',
  resolutionRuntimeError: 'Runtime error during job resolution',
  noAgentClaimed: 'No agent claimed the job for too long',
  agentAwol: 'Agent AWOL for too long',
  downloadFailed: 'Failed to download dependencies',
  createDirectoryFailed: 'Failed to create job directory',
  createScriptFailed: 'Failed to create job script',
  launchFailed: 'Failed to launch job',
  unknownState: 'Unknown job state',
  markedFailed: 'The job status changed server-side while the job was running',
} as const;
