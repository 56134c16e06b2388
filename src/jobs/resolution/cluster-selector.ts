import type { Cluster, Command } from '../resources.ts';

/** What a cluster selector sees: the job, the chosen command and the clusters that can run it. */
export interface ClusterSelectionContext {
  jobId: string;
  /** The job request as received, for selectors that route on its contents. */
  request: unknown;
  command: Command;
  /** At least one; every one matches the command's and the job's criteria. */
  clusters: readonly Cluster[];
}

export interface ClusterSelection {
  /** The chosen cluster, one of the candidates; absent means "no preference" and the next selector decides. */
  cluster?: Cluster;
  /** Why, for logs. */
  rationale?: string;
}

/**
 * Chooses among several clusters that can run a job. Selectors form a chain (an admin's module,
 * then least-loaded if configured, then random, which always chooses); an error or "no preference"
 * passes the decision to the next one, as in Genie.
 *
 * A plug-in module's default export implements this interface (the `name` is optional there), or
 * is a plain function with the signature of `select`. It may also answer a cluster id string.
 */
export interface ClusterSelector {
  readonly name: string;
  select(context: ClusterSelectionContext): ClusterSelection | Promise<ClusterSelection>;
}
