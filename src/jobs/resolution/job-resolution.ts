import type { Application, Cluster, Command, Criterion } from '../resources.ts';

/**
 * What job resolution needs from a job request: Genie 4's algorithm (reference/genie.md 3.2) turns
 * the job's cluster criteria and command criterion into one command, one cluster and the ordered
 * applications to set up.
 */
export interface ResolutionInput {
  jobId: string;
  /** The job's cluster criteria in priority order (each with at least one tag, id or name). */
  clusterCriteria: Criterion[];
  commandCriterion: Criterion;
  /** Application ids that override the command's own applications, in order; empty for the command's. */
  applicationIds: string[];
  /** The whole job request, passed to pluggable selectors as context. */
  request: unknown;
}

export interface Resolution {
  command: Command;
  cluster: Cluster;
  applications: Application[];
}

/** Counts the active (not finished) jobs per cluster, for the least-loaded cluster selector. */
export type ClusterLoad = (clusterIds: string[]) => Promise<Map<string, number>>;
