import type { Selectable } from 'kysely';
import type { JobTable } from '../db/tables/jobs.ts';
import type { JobRecord } from './job-record.ts';
import type { ArchiveStatus, JobStatus } from '../protocol/agent/job-status.ts';

/** Conversions between `job` rows (snake case, JSON as text) and JobRecord. */

/** A job row to insert at submission (status RESERVED). */
export type NewJob = Omit<
  JobRecord,
  | 'updated'
  | 'status'
  | 'statusMsg'
  | 'clusterId'
  | 'clusterName'
  | 'commandId'
  | 'commandName'
  | 'specification'
  | 'started'
  | 'finished'
  | 'exitCode'
  | 'agentId'
  | 'hostName'
  | 'processId'
  | 'claimedAt'
  | 'heartbeatAt'
  | 'killRequestedAt'
>;

export function toRow(job: NewJob): Omit<JobTable, 'updated' | 'status' | 'status_msg' | 'cluster_id' | 'cluster_name' | 'command_id' | 'command_name' | 'specification' | 'started' | 'finished' | 'exit_code' | 'agent_id' | 'host_name' | 'process_id' | 'claimed_at' | 'heartbeat_at' | 'kill_requested_at' | 'submitted_by'> {
  return {
    id: job.id,
    created: job.created,
    name: job.name,
    user_name: job.user,
    version: job.version,
    description: job.description ?? null,
    metadata: job.metadata === undefined ? null : JSON.stringify(job.metadata),
    tags: JSON.stringify(job.tags),
    request: JSON.stringify(job.request),
    command_args: job.commandArgs ?? null,
    grouping: job.grouping ?? null,
    grouping_instance: job.groupingInstance ?? null,
    archive_location: job.archiveLocation ?? null,
    archive_status: job.archiveStatus,
    timeout_seconds: job.timeoutSeconds,
    client_host: job.clientHost ?? null,
    user_agent: job.userAgent ?? null,
    num_attachments: job.numAttachments,
    total_attachment_size: job.totalAttachmentSize,
    request_headers: JSON.stringify(job.requestHeaders),
  };
}

const opt = <T>(value: T | null): T | undefined => (value === null ? undefined : value);

export function fromRow(row: Selectable<JobTable>): JobRecord {
  return {
    id: row.id,
    created: Number(row.created),
    updated: Number(row.updated),
    name: row.name,
    user: row.user_name,
    version: row.version,
    description: opt(row.description),
    metadata: row.metadata === null ? undefined : JSON.parse(row.metadata),
    tags: JSON.parse(row.tags) as string[],
    status: row.status as JobStatus,
    statusMsg: opt(row.status_msg),
    request: JSON.parse(row.request),
    commandArgs: opt(row.command_args),
    grouping: opt(row.grouping),
    groupingInstance: opt(row.grouping_instance),
    clusterId: opt(row.cluster_id),
    clusterName: opt(row.cluster_name),
    commandId: opt(row.command_id),
    commandName: opt(row.command_name),
    specification: row.specification === null ? undefined : JSON.parse(row.specification),
    started: row.started === null ? undefined : Number(row.started),
    finished: row.finished === null ? undefined : Number(row.finished),
    archiveLocation: opt(row.archive_location),
    archiveStatus: row.archive_status as ArchiveStatus,
    exitCode: opt(row.exit_code),
    timeoutSeconds: row.timeout_seconds,
    agentId: opt(row.agent_id),
    hostName: opt(row.host_name),
    processId: opt(row.process_id),
    claimedAt: row.claimed_at === null ? undefined : Number(row.claimed_at),
    heartbeatAt: row.heartbeat_at === null ? undefined : Number(row.heartbeat_at),
    killRequestedAt: row.kill_requested_at === null ? undefined : Number(row.kill_requested_at),
    clientHost: opt(row.client_host),
    userAgent: opt(row.user_agent),
    numAttachments: row.num_attachments,
    totalAttachmentSize: Number(row.total_attachment_size),
    requestHeaders: row.request_headers === null ? {} : (JSON.parse(row.request_headers) as Record<string, string>),
  };
}
