import type { ArchiveStatus, JobStatus } from '../protocol/agent/job-status.ts';
import type { JobRequest } from './job-request.ts';
import type { JobSpecification } from '../protocol/agent/agent-protocol.ts';

/** A job as the jobs area sees it: one row of the `job` table, parsed. Times are epoch ms. */
export interface JobRecord {
  id: string;
  created: number;
  updated: number;
  name: string;
  user: string;
  version: string;
  description?: string;
  metadata?: unknown;
  tags: string[];
  status: JobStatus;
  statusMsg?: string;
  request: JobRequest;
  commandArgs?: string;
  grouping?: string;
  groupingInstance?: string;
  clusterId?: string;
  clusterName?: string;
  commandId?: string;
  commandName?: string;
  /** Resolved facts kept for `/cluster`, `/command`, `/applications` and the agent. */
  specification?: StoredSpecification;
  started?: number;
  finished?: number;
  archiveLocation?: string;
  archiveStatus: ArchiveStatus;
  exitCode?: number;
  timeoutSeconds: number;
  agentId?: string;
  hostName?: string;
  processId?: number;
  claimedAt?: number;
  heartbeatAt?: number;
  killRequestedAt?: number;
  clientHost?: string;
  userAgent?: string;
  numAttachments: number;
  totalAttachmentSize: number;
  /** Submission headers matching `^GENIE_` (name as sent → value), for the job's metadata. */
  requestHeaders: Record<string, string>;
}

/** What resolution fixed for a job: the agent's specification plus the resolved resources as JSON. */
export interface StoredSpecification {
  agent: JobSpecification;
  /** The resolved registry resources as they were at resolution (for `/jobs/{id}/cluster` etc.). */
  cluster: unknown;
  command: unknown;
  applications: unknown[];
  memoryMb: number;
}
