import type { Runtime } from './resources.ts';

/** One cluster criterion of a v3 job request: clusters having all these tags. */
export interface ClusterCriteria {
  tags: string[];
}

/**
 * A job request after validation and normalization (blank tags dropped, `commandArguments` joined
 * into `commandArgs`). Stored as submitted, and the source of `/jobs/{id}/request`.
 */
export interface JobRequest {
  id?: string;
  name: string;
  user: string;
  version: string;
  description?: string;
  metadata?: unknown;
  tags: string[];
  commandArgs?: string;
  clusterCriterias: ClusterCriteria[];
  commandCriteria: string[];
  group?: string;
  disableLogArchival: boolean;
  email?: string;
  cpu?: number;
  memory?: number;
  timeout?: number;
  applications: string[];
  grouping?: string;
  groupingInstance?: string;
  setupFile?: string;
  configs: string[];
  dependencies: string[];
  runtime?: Partial<Runtime>;
}

/** Who submitted the job and from where (reference/genie.md 1.3 JobMetadata). */
export interface SubmissionContext {
  clientHost?: string;
  userAgent?: string;
  /** Request headers matching `^GENIE_.*`, stored with the job's metadata. */
  genieHeaders: Record<string, string>;
}

/** An attachment part of a multipart submission, already read. */
export interface Attachment {
  name: string;
  data: Buffer;
}
