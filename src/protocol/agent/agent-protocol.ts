import { Type, type Static } from 'typebox';
import { ARCHIVE_STATUSES, JOB_STATUSES } from './job-status.ts';

/**
 * The agent API (`/api/agent/v1`): the only way an agent talks to the server, so an agent can run on
 * any host and a server restart does not touch running jobs. These schemas validate both ends and
 * feed the OpenAPI document.
 */

const Uri = Type.String({ minLength: 1, maxLength: 1024 });

/** Files to place for one resource: setup script, configs and dependencies (URIs). */
export const ResourceFilesSchema = Type.Object({
  id: Type.String(),
  setupFile: Type.Optional(Uri),
  configs: Type.Array(Uri),
  dependencies: Type.Array(Uri),
});
export type ResourceFiles = Static<typeof ResourceFilesSchema>;

/** Everything an agent needs to run a job, fixed when the job is resolved. */
export const JobSpecificationSchema = Type.Object({
  jobId: Type.String(),
  jobName: Type.String(),
  user: Type.String(),
  /** The command's executable and fixed arguments. */
  executable: Type.Array(Type.String()),
  /** The job's arguments, pasted into the run script (shell-interpreted, as Genie does). */
  commandArgs: Type.String(),
  /** GENIE_* variables exported before the setup files are sourced. */
  environment: Type.Record(Type.String(), Type.String()),
  cluster: ResourceFilesSchema,
  command: ResourceFilesSchema,
  applications: Type.Array(ResourceFilesSchema),
  /** The job's own setup file, configs, dependencies and attachments (placed in the job directory). */
  job: ResourceFilesSchema,
  timeoutSeconds: Type.Integer({ minimum: 1 }),
  /** Object store URI the job directory is archived to. */
  archiveLocation: Uri,
});
export type JobSpecification = Static<typeof JobSpecificationSchema>;

export const AgentRegistrationSchema = Type.Object({
  hostName: Type.String({ minLength: 1, maxLength: 255 }),
  pid: Type.Integer({ minimum: 0 }),
  version: Type.String({ minLength: 1, maxLength: 64 }),
  /**
   * Base URL where this agent serves its job directories to the server, if it does: http(s), a host,
   * an optional port and path, no credentials, query or fragment (the server appends job paths).
   */
  address: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, pattern: '^https?://[^/?#@\\s]+(/[^?#\\s]*)?$' })),
});
export type AgentRegistration = Static<typeof AgentRegistrationSchema>;

/**
 * Limits on a running job's directory (reference/genie.md 4.6): checked every `checkIntervalMs`; a
 * job over any of them is KILLED "Job files exceeded limit.". Temp folders and downloaded
 * dependencies are exempt, as they are from the archive manifest.
 */
export const FilesLimitSchema = Type.Object({
  checkIntervalMs: Type.Integer({ minimum: 1 }),
  /** Most entries (files and folders) in the directory. */
  maxFiles: Type.Integer({ minimum: 1 }),
  /** Largest single file, in bytes. */
  maxFileBytes: Type.Integer({ minimum: 1 }),
  /** Largest total of all files, in bytes. */
  maxTotalBytes: Type.Integer({ minimum: 1 }),
});
export type FilesLimit = Static<typeof FilesLimitSchema>;

/**
 * Local job directories of finished jobs whose archive is ARCHIVED are deleted from the agent's
 * host once the job finished more than `retentionMs` ago (Genie's disk cleanup); the output is then
 * served from the archive.
 */
export const DirectoryCleanupSchema = Type.Object({
  enabled: Type.Boolean(),
  intervalMs: Type.Integer({ minimum: 1 }),
  retentionMs: Type.Integer({ minimum: 0 }),
});
export type DirectoryCleanup = Static<typeof DirectoryCleanupSchema>;

/** Settings the server hands every agent, so one configuration governs the fleet. */
export const AgentSettingsSchema = Type.Object({
  heartbeatIntervalMs: Type.Integer({ minimum: 1 }),
  killGraceMs: Type.Integer({ minimum: 0 }),
  /**
   * The lease (jobs.heartbeatTimeoutSeconds): a node declares an agent lost, and fails its jobs, when
   * it has not heartbeaten for this long; the agent kills its own jobs before then when no node
   * answers it. Optional for servers from before the setting was sent (agents assume 30 s).
   */
  leaseTimeoutMs: Type.Optional(Type.Integer({ minimum: 1 })),
  // Optional so an agent can still talk to a server from before the setting existed (it uses defaults).
  filesLimit: Type.Optional(FilesLimitSchema),
  directoryCleanup: Type.Optional(DirectoryCleanupSchema),
  /**
   * Answered once, to the registration of a new id: the secret bound to that id, which the agent
   * sends on every later call instead of the installation secret (src/auth/agent-credentials.ts).
   */
  credential: Type.Optional(Type.String()),
});
export type AgentSettings = Static<typeof AgentSettingsSchema>;

export const ClaimResponseSchema = Type.Object({ job: JobSpecificationSchema, killRequested: Type.Boolean() });
export type ClaimResponse = Static<typeof ClaimResponseSchema>;

export const HeartbeatRequestSchema = Type.Object({
  /** Jobs this agent is running now; their heartbeat time is renewed. */
  jobIds: Type.Array(Type.String({ maxLength: 255 }), { maxItems: 10_000 }),
});
export const KillListSchema = Type.Object({
  /** Jobs of this agent that a user, the timeout sweep or the server wants stopped. */
  jobIds: Type.Array(Type.String()),
});
export type KillList = Static<typeof KillListSchema>;

/** The server nodes alive now, by the URL each advertised; an agent adds them to the URLs it fails over between. */
export const ServerNodeListSchema = Type.Object({
  nodes: Type.Array(Type.String({ description: 'Base URL of a live server node' })),
});
export type ServerNodeList = Static<typeof ServerNodeListSchema>;

export const StatusChangeSchema = Type.Object({
  agentId: Type.String({ minLength: 1, maxLength: 255 }),
  /** The status the agent believes the job has; the change happens only if it still does. */
  expected: Type.Enum([...JOB_STATUSES]),
  status: Type.Enum([...JOB_STATUSES]),
  message: Type.String({ maxLength: 10_000 }),
  exitCode: Type.Optional(Type.Integer()),
  processId: Type.Optional(Type.Integer({ minimum: 0 })),
  /**
   * When the agent made the change (epoch ms, the agent's clock). A change delivered late — the
   * server was down when the job ended — still records when the job really finished.
   */
  time: Type.Optional(Type.Integer({ minimum: 0 })),
});
export type StatusChange = Static<typeof StatusChangeSchema>;

export const StatusChangeResultSchema = Type.Object({
  changed: Type.Boolean(),
  /** The job's status after the request: the new one, or the one that made the change fail. */
  status: Type.Enum([...JOB_STATUSES]),
  killRequested: Type.Boolean(),
});
export type StatusChangeResult = Static<typeof StatusChangeResultSchema>;

export const JobStatesRequestSchema = Type.Object({
  /** Jobs the agent has directories of. */
  jobIds: Type.Array(Type.String({ maxLength: 255 }), { maxItems: 1000 }),
});

/** What the server knows of the jobs named; unknown ids are left out. */
export const JobStatesSchema = Type.Object({
  jobs: Type.Array(
    Type.Object({
      id: Type.String(),
      status: Type.Enum([...JOB_STATUSES]),
      archiveStatus: Type.Enum([...ARCHIVE_STATUSES]),
      /** When the job finished (epoch ms); absent if it never started. */
      finished: Type.Optional(Type.Integer()),
      updated: Type.Integer(),
    }),
  ),
});
export type JobStates = Static<typeof JobStatesSchema>;

export const AdoptionSchema = Type.Object({
  /** The agent that launched the job: the caller itself (an agent keeps its id across restarts); any other is refused. */
  previousAgentId: Type.String({ minLength: 1, maxLength: 255 }),
});

export const ArchiveStatusChangeSchema = Type.Object({
  agentId: Type.String({ minLength: 1, maxLength: 255 }),
  archiveStatus: Type.Enum([...ARCHIVE_STATUSES]),
});

/** A job directory entry as the agent's file endpoint describes it. */
export const FileEntrySchema = Type.Object({
  name: Type.String(),
  directory: Type.Boolean(),
  size: Type.Integer({ minimum: 0 }),
  lastModified: Type.Integer(),
});
export type FileEntry = Static<typeof FileEntrySchema>;

/** What the agent's file endpoint answers for a path: a file's facts, or a directory's entries. */
export const PathInfoSchema = Type.Union([
  Type.Object({ kind: Type.Literal('file'), size: Type.Integer({ minimum: 0 }), lastModified: Type.Integer() }),
  Type.Object({ kind: Type.Literal('directory'), lastModified: Type.Integer(), entries: Type.Array(FileEntrySchema) }),
]);
export type PathInfo = Static<typeof PathInfoSchema>;
