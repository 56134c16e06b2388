import type { Generated } from 'kysely';

/** One job: its request, resolution, lifecycle and execution facts (reference/genie.md 1.3–1.4). */
export interface JobTable {
  id: string;
  created: number;
  updated: number;
  name: string;
  user_name: string;
  version: string;
  description: string | null;
  /** JSON, opaque to the server. */
  metadata: string | null;
  /** JSON array of the job's own tags; duplicated in job_tag for search. */
  tags: string;
  status: string;
  status_msg: string | null;
  /** JSON: the job request as submitted (v3 shape, normalized). */
  request: string;
  command_args: string | null;
  grouping: string | null;
  grouping_instance: string | null;
  cluster_id: string | null;
  cluster_name: string | null;
  command_id: string | null;
  command_name: string | null;
  /** JSON: the resolved job specification the agent runs (set once, at RESOLVED). */
  specification: string | null;
  started: number | null;
  finished: number | null;
  archive_location: string | null;
  archive_status: string;
  exit_code: number | null;
  timeout_seconds: number;
  agent_id: string | null;
  host_name: string | null;
  process_id: number | null;
  claimed_at: number | null;
  /** Last heartbeat of the agent running the job; the leader fails the job when it grows old. */
  heartbeat_at: number | null;
  kill_requested_at: number | null;
  /** The ServerNodes id of the node submitting the job (null: a node that does not advertise, or older rows). */
  submitted_by: string | null;
  client_host: string | null;
  user_agent: string | null;
  num_attachments: number;
  total_attachment_size: number;
  /** JSON object: the submission's headers matching `^GENIE_` (migration 0203; null before it). */
  request_headers: string | null;
}

export interface JobTagTable {
  job_id: string;
  tag: string;
}

/** The applications a job was resolved to, in setup order (migration 0204). */
export interface JobApplicationTable {
  job_id: string;
  position: number;
  application_id: string;
}

/** An agent process that claims jobs; `address` serves its job directories to the server. */
export interface JobAgentTable {
  id: string;
  host_name: string;
  address: string | null;
  pid: number;
  version: string;
  started: number;
  heartbeat_at: number;
}

/** A named lease: the node whose `holder` id is here until `expires_at` runs the leader duties. */
export interface JobLeaderLeaseTable {
  name: string;
  holder: string;
  expires_at: number;
}

/**
 * A named value shared by every server node: a runtime setting an admin changed (its JSON), or
 * bookkeeping of a periodic leader task. Written with compare-and-set where two nodes could race.
 */
export interface JobSettingTable {
  name: string;
  /** JSON. */
  value: string;
  updated: number;
}

/** A server node alive now (renewed while it runs, deleted on orderly shutdown): where agents reach it. */
export interface ServerNodeTable {
  id: string;
  url: string;
  started: number;
  heartbeat_at: number;
}

/** One status a job entered: written in the same transaction as the status itself (JobStore). */
export interface JobStatusChangeTable {
  id: Generated<number>;
  job_id: string;
  status: string;
  message: string | null;
  at: number;
}

export interface JobsTables {
  job: JobTable;
  job_tag: JobTagTable;
  job_application: JobApplicationTable;
  job_agent: JobAgentTable;
  job_leader_lease: JobLeaderLeaseTable;
  job_setting: JobSettingTable;
  server_node: ServerNodeTable;
  job_status_change: JobStatusChangeTable;
}
