import type { ClusterSelection, ClusterSelectionContext, ClusterSelector } from './cluster-selector.ts';

/** Picks uniformly at random: the last selector of every chain, so a job always gets a cluster. */
export class RandomClusterSelector implements ClusterSelector {
  readonly name = 'random';

  constructor(private readonly random: () => number = Math.random) {}

  select(context: ClusterSelectionContext): ClusterSelection {
    const index = Math.min(Math.floor(this.random() * context.clusters.length), context.clusters.length - 1);
    return { cluster: context.clusters[index], rationale: `picked at random among ${context.clusters.length}` };
  }
}
