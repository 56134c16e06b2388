/**
 * A registry search as the store runs it, after Genie's parameters are interpreted: `%` in name,
 * user or type means SQL LIKE; statuses match any; tags must all be present; `genie.id:` and
 * `genie.name:` tags have become id and name matches.
 */
export interface ResourceQuery {
  id?: string;
  name?: string;
  user?: string;
  /** Applications only. */
  type?: string;
  statuses?: readonly string[];
  tags?: readonly string[];
  /** Epoch milliseconds, inclusive. */
  minUpdated?: number;
  /** Epoch milliseconds, exclusive. */
  maxUpdated?: number;
  /** Set when the parameters contradict each other (two different `genie.id:` tags, say). */
  matchesNothing?: boolean;
}
