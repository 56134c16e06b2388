import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError } from '../../errors/not-found-error.ts';
import { PreconditionError } from '../../errors/precondition-error.ts';
import type { Application, Cluster, Command, Criterion } from '../resources.ts';
import type { Resolution, ResolutionInput } from '../resolution/job-resolution.ts';

/**
 * TEMPORARY — replaced by the registry's resolver (src/jobs/resolution, branch `registry`) when it
 * lands on main. Until then the jobs area resolves against registry resources read from
 * `<home>/interim-registry.json` ({clusters, commands, applications}), re-read on every resolution so
 * tests can retag clusters. Follows reference/genie.md 3.2 with a random cluster selector.
 */
export interface InterimRegistryFile {
  clusters: Cluster[];
  commands: Command[];
  applications: Application[];
}

export function interimRegistryPath(home: string): string {
  return path.join(home, 'interim-registry.json');
}

export function interimResolver(home: string): (input: ResolutionInput) => Promise<Resolution> {
  return async (input) => {
    let registry: InterimRegistryFile;
    try {
      registry = JSON.parse(await readFile(interimRegistryPath(home), 'utf8'));
    } catch {
      registry = { clusters: [], commands: [], applications: [] };
    }
    const commands = registry.commands.filter((c) => matches(c, input.commandCriterion, 'ACTIVE'));
    if (commands.length === 0) throw new PreconditionError('No command matching command criterion found');
    const byCommand = new Map<Command, Cluster[]>();
    for (const command of commands) {
      for (const commandCriterion of command.clusterCriteria) {
        let found: Cluster[] = [];
        for (const jobCriterion of input.clusterCriteria) {
          const merged = merge(commandCriterion, jobCriterion);
          if (!merged) continue;
          found = registry.clusters.filter((c) => matches(c, merged, 'UP'));
          if (found.length > 0) break;
        }
        if (found.length > 0) {
          byCommand.set(command, found);
          break;
        }
      }
    }
    if (byCommand.size === 0) throw new PreconditionError('No clusters available to run any candidate command on');
    const options = [...byCommand.entries()];
    const [command, clusters] = options[Math.floor(Math.random() * options.length)]!;
    const cluster = clusters[Math.floor(Math.random() * clusters.length)]!;
    const appIds = input.applicationIds.length > 0 ? input.applicationIds : command.applicationIds;
    const applications = appIds.map((id) => {
      const app = registry.applications.find((a) => a.id === id);
      if (!app) throw new NotFoundError(`No application with id ${id} exists`);
      return app;
    });
    return { command, cluster, applications };
  };
}

function matches(resource: Cluster | Command, criterion: Criterion, defaultStatus: string): boolean {
  if (criterion.id !== undefined && resource.id !== criterion.id) return false;
  if (criterion.name !== undefined && resource.name !== criterion.name) return false;
  if (criterion.version !== undefined && resource.version !== criterion.version) return false;
  if (resource.status !== (criterion.status ?? defaultStatus)) return false;
  return criterion.tags.every((tag) => resource.tags.includes(tag));
}

function merge(a: Criterion, b: Criterion): Criterion | undefined {
  const out: Criterion = { tags: [...new Set([...a.tags, ...b.tags])] };
  for (const key of ['id', 'name', 'version', 'status'] as const) {
    if (a[key] !== undefined && b[key] !== undefined && a[key] !== b[key]) return undefined;
    const value = a[key] ?? b[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
