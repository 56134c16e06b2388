import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigFile } from './file-schema.ts';
import { CronSchedule, CronSyntaxError } from './cron-schedule.ts';
import { ConfigError } from './config-error.ts';

/** Settings of the jobs area: where jobs run and are archived, agent liveness, limits. Durations in ms. */
export interface JobsConfig {
  /** Cluster selection during job resolution (see src/jobs/resolution/job-resolver.ts). */
  resolution: { selector: 'random' | 'least-loaded'; selectorModule?: string };
  /** Absolute folder under which agents create job directories. */
  directoryRoot: string;
  /** Object store URI that job archives go under (`<archiveRoot>/<jobId>/…`). */
  archiveRoot: string;
  /** Object store URI that submitted attachments are saved under. */
  attachmentRoot: string;
  /** Absolute folder of the agent's dependency cache. */
  cacheDirectory: string;
  localAgent: boolean;
  /** The user agents running as root start jobs as (QUARRY_JOBS_RUN_AS_USER); absent: the agent's own user. */
  runAsUser?: string;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  claimTimeoutMs: number;
  /** A CLAIMED job not moved to INIT within this time is put back in the queue. */
  claimStartTimeoutMs: number;
  /** Server URLs `quarry agent` uses when given no --server. */
  agentServers?: string[];
  killGraceMs: number;
  leaderIntervalMs: number;
  /** A finished job whose archive is still PENDING this long, its agent gone, is marked UNKNOWN. */
  archiveStatusTimeoutMs: number;
  timeoutDefaultSeconds: number;
  timeoutMaxSeconds: number;
  activeLimit: { enabled: boolean; count: number; overrides: Record<string, number> };
  attachments: { maxBytes: number; maxTotalBytes: number };
  /** Limits on a running job's directory, enforced by agents (reference/genie.md 4.6). */
  filesLimit: { checkIntervalMs: number; maxFiles: number; maxFileBytes: number; maxTotalBytes: number };
  /** Agents delete local job directories archived longer ago than `retentionMs`, every `intervalMs`. */
  directoryCleanup: { enabled: boolean; intervalMs: number; retentionMs: number };
  /** The leader's periodic database cleanup (src/jobs/leader/database-cleanup.ts). */
  databaseCleanup: DatabaseCleanupConfig;
  /** Whether new jobs are accepted (an admin may override this at runtime; see src/jobs/submission-gate.ts). */
  submission: { enabled: boolean; disabledMessage: string };
}

/** Genie's DatabaseCleanupTask: job retention, and registry resources no job uses. */
export interface DatabaseCleanupConfig {
  /** How often the leader runs it (unless `schedule` is set). */
  intervalMs: number;
  /** When the leader runs it: a cron expression in UTC (src/jobs/leader/cron-schedule.ts), checked at load. */
  schedule?: string;
  jobs: {
    enabled: boolean;
    /** Finished jobs created longer ago than this are deleted. */
    retentionMs: number;
    /** Jobs deleted per transaction. */
    batchSize: number;
    /** Also delete their archives from the object store. */
    deleteArchives: boolean;
  };
  registry: {
    /** Off by default: it deletes what admins registered. */
    enabled: boolean;
    /** Rows changed per statement. */
    batchSize: number;
    /** ACTIVE/DEPRECATED commands older than this that no job uses become INACTIVE. */
    commandDeactivationMs: number;
    deactivateCommands: boolean;
    deleteCommands: boolean;
    deleteClusters: boolean;
    deleteApplications: boolean;
  };
}

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;
const DAY_MS = 86_400_000;

/** Genie's answer while submission is disabled (JobConstants.JOB_SUBMISSION_DISABLED_DEFAULT_MESSAGE). */
export const SUBMISSION_DISABLED_MESSAGE = 'Job submission is currently disabled. Please try again later.';

export function loadJobsConfig(file: ConfigFile['jobs'], home: string, warehouse: string, cwd: string): JobsConfig {
  const jobs = file ?? {};
  const timeoutDefaultSeconds = jobs.timeout?.defaultSeconds ?? 604_800;
  const timeoutMaxSeconds = jobs.timeout?.maxSeconds ?? 2_592_000;
  if (timeoutDefaultSeconds > timeoutMaxSeconds) {
    throw new ConfigError('jobs.timeout.defaultSeconds', `must not exceed jobs.timeout.maxSeconds (${timeoutMaxSeconds})`);
  }
  const ms = (seconds: number | undefined, fallback: number) => Math.round((seconds ?? fallback) * 1000);
  const cleanupSchedule = parseSchedule(jobs.databaseCleanup?.schedule, jobs.databaseCleanup?.intervalSeconds);
  return {
    resolution: {
      selector: jobs.resolution?.selector ?? 'random',
      ...(jobs.resolution?.selectorModule ? { selectorModule: path.resolve(cwd, jobs.resolution.selectorModule) } : {}),
    },
    directoryRoot: path.resolve(cwd, jobs.directoryRoot ?? path.join(home, 'jobs')),
    archiveRoot: storeUri('jobs.archiveRoot', jobs.archiveRoot, `${warehouse}/jobs/archives`, cwd),
    attachmentRoot: storeUri('jobs.attachmentRoot', jobs.attachmentRoot, `${warehouse}/jobs/attachments`, cwd),
    cacheDirectory: path.resolve(cwd, jobs.cacheDirectory ?? path.join(home, 'agent-cache')),
    localAgent: jobs.localAgent ?? true,
    ...(jobs.runAsUser ? { runAsUser: jobs.runAsUser } : {}),
    heartbeatIntervalMs: ms(jobs.heartbeatIntervalSeconds, 2),
    heartbeatTimeoutMs: ms(jobs.heartbeatTimeoutSeconds, 30),
    claimTimeoutMs: ms(jobs.claimTimeoutSeconds, 240),
    claimStartTimeoutMs: ms(jobs.claimStartTimeoutSeconds, 10),
    ...(jobs.agentServers ? { agentServers: jobs.agentServers } : {}),
    killGraceMs: ms(jobs.killGraceSeconds, 10),
    leaderIntervalMs: ms(jobs.leaderIntervalSeconds, 5),
    archiveStatusTimeoutMs: ms(jobs.archiveStatusTimeoutSeconds, 120),
    timeoutDefaultSeconds,
    timeoutMaxSeconds,
    activeLimit: {
      enabled: jobs.activeLimit?.enabled ?? false,
      count: jobs.activeLimit?.count ?? 100,
      overrides: jobs.activeLimit?.overrides ?? {},
    },
    attachments: {
      maxBytes: jobs.attachments?.maxBytes ?? 100 * MIB,
      maxTotalBytes: jobs.attachments?.maxTotalBytes ?? 150 * MIB,
    },
    filesLimit: {
      checkIntervalMs: ms(jobs.filesLimit?.checkIntervalSeconds, 60),
      maxFiles: jobs.filesLimit?.maxFiles ?? 64_000,
      maxFileBytes: jobs.filesLimit?.maxFileBytes ?? 8 * GIB,
      maxTotalBytes: jobs.filesLimit?.maxTotalBytes ?? 16 * GIB,
    },
    directoryCleanup: {
      enabled: jobs.directoryCleanup?.enabled ?? true,
      intervalMs: ms(jobs.directoryCleanup?.intervalSeconds, 86_400),
      retentionMs: Math.round((jobs.directoryCleanup?.retentionDays ?? 3) * DAY_MS),
    },
    databaseCleanup: {
      intervalMs: ms(jobs.databaseCleanup?.intervalSeconds, 86_400),
      ...(cleanupSchedule === undefined ? {} : { schedule: cleanupSchedule }),
      jobs: {
        enabled: jobs.databaseCleanup?.jobs?.enabled ?? true,
        retentionMs: Math.round((jobs.databaseCleanup?.jobs?.retentionDays ?? 90) * DAY_MS),
        batchSize: jobs.databaseCleanup?.jobs?.batchSize ?? 1000,
        deleteArchives: jobs.databaseCleanup?.jobs?.deleteArchives ?? false,
      },
      registry: {
        enabled: jobs.databaseCleanup?.registry?.enabled ?? false,
        batchSize: jobs.databaseCleanup?.registry?.batchSize ?? 10_000,
        commandDeactivationMs: Math.round((jobs.databaseCleanup?.registry?.commandDeactivationDays ?? 60) * DAY_MS),
        deactivateCommands: jobs.databaseCleanup?.registry?.deactivateCommands ?? true,
        deleteCommands: jobs.databaseCleanup?.registry?.deleteCommands ?? true,
        deleteClusters: jobs.databaseCleanup?.registry?.deleteClusters ?? true,
        deleteApplications: jobs.databaseCleanup?.registry?.deleteApplications ?? true,
      },
    },
    submission: {
      enabled: jobs.submission?.enabled ?? true,
      disabledMessage: jobs.submission?.disabledMessage ?? SUBMISSION_DISABLED_MESSAGE,
    },
  };
}


/** A cron schedule checked now, so a typo stops the start instead of a cleanup that never runs. */
function parseSchedule(schedule: string | undefined, intervalSeconds: number | undefined): string | undefined {
  if (schedule === undefined) return undefined;
  if (intervalSeconds !== undefined) throw new ConfigError('jobs.databaseCleanup.schedule', 'and jobs.databaseCleanup.intervalSeconds both say when to clean; give one');
  try {
    return CronSchedule.parse(schedule).expression;
  } catch (error) {
    if (error instanceof CronSyntaxError) throw new ConfigError('jobs.databaseCleanup.schedule', `is not a cron expression: ${error.message}`);
    throw error;
  }
}

function storeUri(setting: string, value: string | undefined, fallback: string, cwd: string): string {
  if (value === undefined) return fallback;
  if (value.startsWith('file://') || value.startsWith('s3://')) return value.replace(/\/+$/, '');
  if (!value.includes('://')) return pathToFileURL(path.resolve(cwd, value)).href;
  throw new ConfigError(setting, `must be a file:// or s3:// URI (got ${JSON.stringify(value)})`);
}
