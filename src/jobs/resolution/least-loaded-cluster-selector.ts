import type { ClusterLoad } from './job-resolution.ts';
import type { ClusterSelection, ClusterSelectionContext, ClusterSelector } from './cluster-selector.ts';

/**
 * Picks the cluster with the fewest active jobs, at random among those tied, so that clusters
 * sharing a tag split new work evenly and a fresh cluster catches up.
 */
export class LeastLoadedClusterSelector implements ClusterSelector {
  readonly name = 'least-loaded';

  constructor(
    private readonly load: ClusterLoad,
    private readonly random: () => number = Math.random,
  ) {}

  async select(context: ClusterSelectionContext): Promise<ClusterSelection> {
    const counts = await this.load(context.clusters.map((c) => c.id));
    const loadOf = (id: string) => counts.get(id) ?? 0;
    const least = Math.min(...context.clusters.map((c) => loadOf(c.id)));
    const tied = context.clusters.filter((c) => loadOf(c.id) === least);
    const cluster = tied[Math.min(Math.floor(this.random() * tied.length), tied.length - 1)];
    return { cluster, rationale: `fewest active jobs (${least}) among ${context.clusters.length} clusters` };
  }
}
