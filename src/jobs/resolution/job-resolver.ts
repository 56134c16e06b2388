import { NotFoundError } from '../../errors/not-found-error.ts';
import {
  cleanCriterion,
  criterionKey,
  describeCriterion,
  effectiveCriterion,
  matchesCriterion,
  withDefaultStatus,
  withoutCoveredCriteria,
} from '../registry/criterion.ts';
import { DEFAULT_CLUSTER_STATUS, type RegistryService } from '../registry/registry-service.ts';
import type { Application, Cluster, Command, Criterion } from '../resources.ts';
import type { ClusterSelector } from './cluster-selector.ts';
import { JobResolutionError } from './job-resolution-error.ts';
import type { ClusterLoad, Resolution, ResolutionInput } from './job-resolution.ts';
import { LeastLoadedClusterSelector } from './least-loaded-cluster-selector.ts';
import { mergeCriteria } from './merge-criteria.ts';
import { loadModuleClusterSelector } from './module-cluster-selector.ts';
import { RandomClusterSelector } from './random-cluster-selector.ts';

/** Where selector failures are reported; pino's `log.warn(details, message)` fits (pass `app.log`). */
export interface ResolutionLog {
  warn(details: Record<string, unknown>, message: string): void;
}

const consoleLog: ResolutionLog = {
  warn: (details, message) => console.warn(`quarry: ${message}`, details),
};

/** The `jobs.resolution` configuration section. */
export interface ResolutionSettings {
  /** The built-in selector tried after the admin's module: `random`, or `least-loaded` (fewest active jobs). */
  selector: 'random' | 'least-loaded';
  /** A JS/TS module whose default export is a ClusterSelector, tried first. */
  selectorModule?: string;
}

export interface JobResolverOptions {
  registry: RegistryService;
  /** Tried in order before the random selector, which always ends the chain. */
  clusterSelectors?: ClusterSelector[];
  /** Uniform in [0, 1); tests pass a seeded one. */
  random?: () => number;
  log?: ResolutionLog;
}

// Error messages list at most this many criteria.
const LISTED_CRITERIA = 10;

/**
 * Genie 4's job resolution (reference/genie.md 3.2): turns a job's cluster criteria and command
 * criterion into one command, one cluster and the applications to set up.
 *
 * 1. Candidate commands match the command criterion (status ACTIVE unless it names one).
 * 2. Per command, its cluster criteria merged with the job's, command criterion in the outer loop
 *    and job criterion in the inner one; impossible merges are skipped; status UP unless named.
 * 3. One query finds every cluster matching any merged criterion.
 * 4. Per command, the first merged criterion matching at least one of those clusters gives its
 *    clusters; commands with none drop out.
 * 5. A command is picked at random; the cluster selector chain picks among its clusters.
 * 6. Applications: the request's ids, each of which must exist, else the command's own, in order.
 *
 * Failures throw JobResolutionError (412 in Genie's API) naming what matched nothing. Criteria must
 * be valid (see cleanCriterion); an empty one is an InvalidInputError.
 */
export class JobResolver {
  private readonly registry: RegistryService;
  private readonly selectors: ClusterSelector[];
  private readonly random: () => number;
  private readonly log: ResolutionLog;

  constructor(options: JobResolverOptions) {
    this.registry = options.registry;
    this.random = options.random ?? Math.random;
    this.selectors = [...(options.clusterSelectors ?? []), new RandomClusterSelector(this.random)];
    this.log = options.log ?? consoleLog;
  }

  /** The selectors in the order they are consulted. */
  get selectorNames(): string[] {
    return this.selectors.map((s) => s.name);
  }

  async resolve(input: ResolutionInput): Promise<Resolution> {
    const commandCriterion = effectiveCriterion(cleanCriterion(input.commandCriterion));
    const jobCriteria = input.clusterCriteria.map((c) => effectiveCriterion(cleanCriterion(c)));
    const shownCommandCriterion = commandCriterion ? describeCriterion(commandCriterion) : describeCriterion(cleanCriterion(input.commandCriterion));

    // 1. candidate commands
    const commands = commandCriterion ? await this.registry.findCommandsMatching(commandCriterion) : [];
    if (commands.length === 0) {
      throw new JobResolutionError(`No command matching command criterion ${shownCommandCriterion} found`, { jobId: input.jobId });
    }

    // 2. merged criteria per command, in priority order
    const mergedByCommand = new Map<Command, Criterion[]>();
    const unique = new Map<string, Criterion>();
    for (const command of commands) {
      const merged: Criterion[] = [];
      for (const commandClusterCriterion of command.clusterCriteria) {
        const own = effectiveCriterion(commandClusterCriterion);
        if (!own) continue;
        for (const jobCriterion of jobCriteria) {
          const combined = jobCriterion ? mergeCriteria(own, jobCriterion) : undefined;
          if (!combined) continue;
          const query = withDefaultStatus(combined, DEFAULT_CLUSTER_STATUS);
          merged.push(query);
          unique.set(criterionKey(query), query);
        }
      }
      mergedByCommand.set(command, merged);
    }

    // 3. one query for every cluster any merged criterion matches (criteria that a broader one
    // covers add nothing to the union, so the query leaves them out)
    const candidates = await this.registry.findClustersMatchingAny(withoutCoveredCriteria([...unique.values()]));
    const noClusters = () =>
      new JobResolutionError(
        unique.size === 0
          ? `No clusters available to run any candidate command on: the cluster criteria of the ${commands.length} command(s) matching ${shownCommandCriterion} cannot be combined with the job's cluster criteria ${listCriteria(jobCriteria.filter((c): c is Criterion => c !== undefined))}`
          : `No clusters available to run any candidate command on (criteria tried: ${listCriteria([...unique.values()])})`,
        { jobId: input.jobId },
      );
    if (candidates.length === 0) throw noClusters();

    // 4. per command, the first merged criterion that matches any candidate
    const clustersByCommand = new Map<Command, Cluster[]>();
    for (const [command, merged] of mergedByCommand) {
      for (const criterion of merged) {
        const matched = candidates.filter((cluster) => matchesCriterion(cluster, criterion));
        if (matched.length > 0) {
          clustersByCommand.set(command, matched);
          break;
        }
      }
    }
    if (clustersByCommand.size === 0) throw noClusters();

    // 5. command, then cluster
    const eligible = [...clustersByCommand.keys()];
    const command = eligible[Math.min(Math.floor(this.random() * eligible.length), eligible.length - 1)]!;
    const cluster = await this.selectCluster(input, command, clustersByCommand.get(command)!);

    // 6. applications
    const applications = await this.applications(input, command);
    return { command, cluster, applications };
  }

  private async selectCluster(input: ResolutionInput, command: Command, clusters: Cluster[]): Promise<Cluster> {
    const context = { jobId: input.jobId, request: input.request, command, clusters };
    for (const selector of this.selectors) {
      try {
        const selection = await selector.select(context);
        if (selection.cluster && clusters.some((c) => c.id === selection.cluster!.id)) return selection.cluster;
      } catch (error) {
        // As in Genie, a failing selector costs its opinion, not the job: the next one decides.
        this.log.warn({ jobId: input.jobId, selector: selector.name, err: error }, `Cluster selector ${selector.name} failed for job ${input.jobId}; trying the next one`);
      }
    }
    throw new JobResolutionError(`No cluster resolved for job ${input.jobId}`, { jobId: input.jobId });
  }

  private async applications(input: ResolutionInput, command: Command): Promise<Application[]> {
    const ids = input.applicationIds.length > 0 ? input.applicationIds : command.applicationIds;
    try {
      return await this.registry.getApplications(ids);
    } catch (error) {
      if (error instanceof NotFoundError) throw new JobResolutionError(error.message, { jobId: input.jobId });
      throw error;
    }
  }
}

function listCriteria(criteria: readonly Criterion[]): string {
  const shown = criteria.slice(0, LISTED_CRITERIA).map(describeCriterion).join(', ');
  return criteria.length > LISTED_CRITERIA ? `${shown} and ${criteria.length - LISTED_CRITERIA} more` : shown;
}

/**
 * A resolver configured from the `jobs.resolution` settings: the admin's module (if any), then the
 * least-loaded selector (if chosen, counting active jobs with `clusterLoad`), then random. Loading
 * the module happens here, so a broken module stops start-up with a ConfigError naming the setting.
 */
export async function createJobResolver(
  settings: ResolutionSettings,
  dependencies: { registry: RegistryService; clusterLoad: ClusterLoad; log?: ResolutionLog; random?: () => number },
): Promise<JobResolver> {
  const selectors: ClusterSelector[] = [];
  if (settings.selectorModule) selectors.push(await loadModuleClusterSelector(settings.selectorModule));
  if (settings.selector === 'least-loaded') selectors.push(new LeastLoadedClusterSelector(dependencies.clusterLoad, dependencies.random));
  return new JobResolver({ registry: dependencies.registry, clusterSelectors: selectors, random: dependencies.random, log: dependencies.log });
}
