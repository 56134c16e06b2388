import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/database.ts';
import { ConflictError } from '../../errors/conflict-error.ts';
import { InvalidInputError } from '../../errors/invalid-input-error.ts';
import { NotFoundError } from '../../errors/not-found-error.ts';
import { PreconditionError } from '../../errors/precondition-error.ts';
import type { Page, PageRequest } from '../paging.ts';
import {
  STATUSES_BY_KIND,
  type Application,
  type Cluster,
  type Command,
  type Criterion,
  type ResourceInput,
  type ResourceKind,
  type ResourceOf,
} from '../resources.ts';
import { isAutoTag, splitAutoTags } from './auto-tags.ts';
import { cleanCriterion, effectiveCriterion, withDefaultStatus, withoutCoveredCriteria } from './criterion.ts';
import { RegistryRepository, sortableFields } from './registry-repository.ts';
import type { ResourceQuery } from './resource-query.ts';

/** Search parameters as Genie's API takes them (before `genie.id:` tags and statuses are interpreted). */
export interface RegistrySearch {
  name?: string;
  user?: string;
  type?: string;
  statuses?: readonly string[];
  tags?: readonly string[];
  minUpdated?: number;
  maxUpdated?: number;
}

/** One command cluster criterion and the clusters it selects (`/commands/{id}/resolvedClusters`). */
export interface ResolvedClusters {
  criterion: Criterion;
  clusters: Cluster[];
}

export type StringSetField = 'tags' | 'configs' | 'dependencies';

export interface RegistryServiceOptions {
  /** Epoch milliseconds; defaults to a clock that never repeats a value within this process. */
  now?: () => number;
}

export const DEFAULT_CLUSTER_STATUS = 'UP';
export const DEFAULT_COMMAND_STATUS = 'ACTIVE';

const NOUNS: Record<ResourceKind, { article: string; title: string }> = {
  application: { article: 'An application', title: 'Application' },
  cluster: { article: 'A cluster', title: 'Cluster' },
  command: { article: 'A command', title: 'Command' },
};

// Genie's own sentences for its validation failures.
const REQUIRED_TEXT: Record<'name' | 'user' | 'version', string> = {
  name: 'A name is required and must be at most 255 characters',
  user: 'A user is required and must be at most 255 characters',
  version: 'A version is required and must be at most 255 characters',
};

// Each round lets at least one writer through, so this bounds how many may race on one resource.
const MAX_CAS_ATTEMPTS = 32;

/** Ids name URLs and job folders, so they may not contain path separators or climb directories. */
export function checkResourceId(id: string, field = 'id'): void {
  // eslint-disable-next-line no-control-regex
  if (id.length === 0 || id.length > 255 || id.includes('/') || id.includes('..') || /[\u0000-\u001f]/.test(id)) {
    throw new InvalidInputError(`Invalid id ${JSON.stringify(id.slice(0, 80))}: an id is 1 to 255 characters without '/', '..' or control characters`, field);
  }
}

export function notFound(kind: ResourceKind, id: string): NotFoundError {
  return new NotFoundError(`No ${kind} with id ${id} exists`, { id });
}

/** A clock in epoch milliseconds that moves forward by at least 1 ms per call, so updates order strictly. */
function monotonicClock(): () => number {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return last;
  };
}

function cleanStrings(values: readonly string[] | undefined, dropAutoTags = false): string[] {
  const kept = (values ?? []).filter((v) => v.trim() !== '' && !(dropAutoTags && isAutoTag(v)));
  return [...new Set(kept)];
}

/**
 * Genie's registry of applications, clusters and commands: the rules (defaults, automatic tags,
 * which deletes are refused, link and criteria semantics) over RegistryRepository. Transport-free;
 * errors are QuarryErrors carrying Genie's messages. Every change is a compare-and-swap on the
 * resource's row version, retried on conflict, so concurrent writers never lose each other's work.
 */
export class RegistryService {
  private readonly repository: RegistryRepository;
  private readonly now: () => number;

  constructor(database: Database, options: RegistryServiceOptions = {}) {
    this.repository = new RegistryRepository(database.db, database.adapter);
    this.now = options.now ?? monotonicClock();
  }

  // ---- resources ----

  /** Creates a resource and answers its id (the requested one, or a new UUID). */
  async create<K extends ResourceKind>(kind: K, input: ResourceInput<K>): Promise<string> {
    const id = input.id === undefined || input.id.trim() === '' ? randomUUID() : input.id;
    checkResourceId(id);
    const now = this.now();
    const resource = this.normalize(kind, input, { id, created: now, updated: now, applicationIds: [] });
    await this.checkApplicationsExist(kind, resource);
    try {
      await this.repository.transaction((tx) => tx.insert(kind, resource));
    } catch (error) {
      if (this.repository.adapter.isUniqueViolation(error)) {
        throw new ConflictError(`${NOUNS[kind].article} with id ${id} already exists`, { id });
      }
      throw this.translateWriteError(error);
    }
    return id;
  }

  async find<K extends ResourceKind>(kind: K, id: string): Promise<ResourceOf<K> | undefined> {
    return (await this.repository.get(kind, id))?.resource;
  }

  /** The resource, or NotFoundError "No cluster with id X exists". */
  async get<K extends ResourceKind>(kind: K, id: string): Promise<ResourceOf<K>> {
    const stored = await this.repository.get(kind, id);
    if (!stored) throw notFound(kind, id);
    return stored.resource;
  }

  getApplication(id: string): Promise<Application> {
    return this.get('application', id);
  }

  getCluster(id: string): Promise<Cluster> {
    return this.get('cluster', id);
  }

  getCommand(id: string): Promise<Command> {
    return this.get('command', id);
  }

  /** The applications with these ids, in the order given; NotFoundError names the first missing one. */
  async getApplications(ids: readonly string[]): Promise<Application[]> {
    const found = new Map((await this.repository.getMany('application', ids)).map((a) => [a.id, a]));
    return ids.map((id) => {
      const app = found.get(id);
      if (!app) throw notFound('application', id);
      return app;
    });
  }

  /** Full replacement (PUT). The input's id, when given, must be the path's id. A command keeps its applications. */
  async replace<K extends ResourceKind>(kind: K, id: string, input: ResourceInput<K>): Promise<void> {
    if (input.id !== undefined && input.id !== id) {
      throw new PreconditionError(`${NOUNS[kind].title} id ${id} inconsistent with id passed in.`, { id });
    }
    await this.update(kind, id, () => input);
  }

  /**
   * Applies `edit` to the current resource and stores the result (PATCH and every sub-resource
   * change). `edit` may run more than once if another writer changes the resource meanwhile.
   */
  async update<K extends ResourceKind>(kind: K, id: string, edit: (current: ResourceOf<K>) => ResourceInput<K> | Promise<ResourceInput<K>>): Promise<ResourceOf<K>> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const stored = await this.repository.get(kind, id);
      if (!stored) throw notFound(kind, id);
      const current = stored.resource;
      const input = await edit(current);
      if (input.id !== undefined && input.id !== id) {
        // A patched id may be any JSON value: name a string (cut short), else only its type.
        const got = typeof input.id === 'string' ? JSON.stringify(input.id.slice(0, 80)) : `a ${typeof input.id}`;
        throw new InvalidInputError(`The id of ${kind} ${id} cannot be changed (got ${got})`, 'id');
      }
      const next = this.normalize(kind, input, {
        id,
        created: current.created,
        updated: Math.max(this.now(), current.updated + 1),
        applicationIds: (current as Partial<Command>).applicationIds ?? [],
      });
      await this.checkApplicationsExist(kind, next);
      let replaced: boolean;
      try {
        replaced = await this.repository.transaction((tx) => tx.replace(kind, next, stored.rowVersion));
      } catch (error) {
        throw this.translateWriteError(error);
      }
      if (replaced) return next;
    }
    throw new ConflictError(`The ${kind} ${id} was changed by other requests while this one ran; try again`, { id });
  }

  /**
   * Deletes one resource. Genie's rules: an unknown application or cluster is a no-op, an unknown
   * command is NotFoundError; an application a command still uses is refused (PreconditionError).
   */
  async delete(kind: ResourceKind, id: string): Promise<void> {
    if (kind === 'application') {
      const users = await this.repository.commandIdsUsing(id);
      if (users.length > 0) throw applicationInUse(id, users);
    }
    let deleted: boolean;
    try {
      deleted = await this.repository.delete(kind, id);
    } catch (error) {
      if (kind === 'application' && this.repository.adapter.isForeignKeyViolation(error)) {
        throw applicationInUse(id, await this.repository.commandIdsUsing(id));
      }
      throw error;
    }
    if (!deleted && kind === 'command') throw notFound(kind, id);
  }

  /** Deletes every resource of the kind, or none: applications still used by commands refuse the whole request. */
  async deleteAll(kind: ResourceKind): Promise<void> {
    try {
      await this.repository.transaction(async (tx) => {
        if (kind === 'application') {
          const [used] = await tx.applicationIdsInUse();
          if (used !== undefined) throw applicationInUse(used, await tx.commandIdsUsing(used));
        }
        await tx.deleteAll(kind);
      });
    } catch (error) {
      if (kind === 'application' && this.repository.adapter.isForeignKeyViolation(error)) {
        throw new PreconditionError('Unable to delete all applications as some are still used by commands');
      }
      throw error;
    }
  }

  async search<K extends ResourceKind>(kind: K, search: RegistrySearch, page: PageRequest): Promise<Page<ResourceOf<K>>> {
    for (const order of page.sort) {
      if (!sortableFields(kind).includes(order.field)) {
        throw new InvalidInputError(`Cannot sort ${kind}s by '${order.field}'; sortable fields are ${sortableFields(kind).join(', ')}`, 'sort');
      }
    }
    return this.repository.search(kind, this.toQuery(kind, search), page);
  }

  private toQuery(kind: ResourceKind, search: RegistrySearch): ResourceQuery {
    const query: ResourceQuery = {
      name: search.name,
      user: search.user,
      type: kind === 'application' ? search.type : undefined,
      minUpdated: search.minUpdated,
      maxUpdated: search.maxUpdated,
      statuses: search.statuses === undefined ? undefined : search.statuses.map((s) => parseStatus(kind, s)),
    };
    if (search.tags !== undefined) {
      const split = splitAutoTags(search.tags);
      const ids = new Set(split.ids);
      const names = new Set(split.names);
      if (search.name !== undefined && !search.name.includes('%')) names.add(search.name);
      if (ids.size > 1 || names.size > 1) return { matchesNothing: true };
      const [id] = ids;
      const [name] = names;
      if (id !== undefined) query.id = id;
      if (name !== undefined) query.name = name;
      query.tags = split.tags;
    }
    return query;
  }

  // ---- string-set sub-resources: tags, configs, dependencies ----

  async getStrings(kind: ResourceKind, id: string, field: StringSetField): Promise<string[]> {
    return (await this.get(kind, id))[field];
  }

  async addStrings(kind: ResourceKind, id: string, field: StringSetField, values: readonly string[]): Promise<void> {
    await this.update(kind, id, (current) => ({ ...current, [field]: [...current[field], ...values] }));
  }

  async setStrings(kind: ResourceKind, id: string, field: StringSetField, values: readonly string[]): Promise<void> {
    await this.update(kind, id, (current) => ({ ...current, [field]: [...values] }));
  }

  async removeString(kind: ResourceKind, id: string, field: StringSetField, value: string): Promise<void> {
    await this.update(kind, id, (current) => ({ ...current, [field]: current[field].filter((v) => v !== value) }));
  }

  // ---- command → applications ----

  async getCommandApplications(commandId: string): Promise<Application[]> {
    const command = await this.getCommand(commandId);
    return this.getApplications(command.applicationIds);
  }

  /** Appends applications; an empty list is invalid and an application already listed is refused. */
  async addCommandApplications(commandId: string, applicationIds: readonly string[]): Promise<void> {
    if (applicationIds.length === 0) throw new InvalidInputError('At least one application id is required', 'applicationIds');
    checkApplicationIds(applicationIds);
    await this.update('command', commandId, (current) => {
      const merged = [...current.applicationIds];
      for (const appId of applicationIds) {
        if (merged.includes(appId)) throw new PreconditionError(`An application with id ${appId} is already added`, { id: appId });
        merged.push(appId);
      }
      return { ...current, applicationIds: merged };
    });
  }

  async setCommandApplications(commandId: string, applicationIds: readonly string[]): Promise<void> {
    checkApplicationIds(applicationIds);
    if (new Set(applicationIds).size !== applicationIds.length) {
      throw new PreconditionError(`Duplicate application id in [${applicationIds.join(', ')}]`);
    }
    await this.update('command', commandId, (current) => ({ ...current, applicationIds: [...applicationIds] }));
  }

  async removeCommandApplication(commandId: string, applicationId: string): Promise<void> {
    await this.getCommand(commandId);
    if (!(await this.repository.exists('application', applicationId))) throw notFound('application', applicationId);
    await this.update('command', commandId, (current) => ({
      ...current,
      applicationIds: current.applicationIds.filter((a) => a !== applicationId),
    }));
  }

  /** The commands listing the application, optionally only those in the given statuses. */
  async commandsForApplication(applicationId: string, statuses?: readonly string[]): Promise<Command[]> {
    const parsed = statuses?.map((s) => parseStatus('command', s));
    if (!(await this.repository.exists('application', applicationId))) throw notFound('application', applicationId);
    return this.repository.commandsUsing(applicationId, parsed);
  }

  // ---- command cluster criteria ----

  async getClusterCriteria(commandId: string): Promise<Criterion[]> {
    return (await this.getCommand(commandId)).clusterCriteria;
  }

  /** Inserts at the 0-based priority: at or below 0 first, at or beyond the end last. Without one, last. */
  async addClusterCriterion(commandId: string, criterion: Criterion, priority?: number): Promise<void> {
    const cleaned = cleanCriterion(criterion);
    await this.update('command', commandId, (current) => {
      const list = [...current.clusterCriteria];
      const at = priority === undefined ? list.length : Math.min(Math.max(priority, 0), list.length);
      list.splice(at, 0, cleaned);
      return { ...current, clusterCriteria: list };
    });
  }

  async setClusterCriteria(commandId: string, criteria: readonly Criterion[]): Promise<void> {
    const cleaned = criteria.map((c) => cleanCriterion(c));
    await this.update('command', commandId, (current) => ({ ...current, clusterCriteria: cleaned }));
  }

  async removeClusterCriterion(commandId: string, priority: number): Promise<void> {
    await this.update('command', commandId, (current) => {
      if (priority < 0 || priority >= current.clusterCriteria.length) {
        throw new NotFoundError(`No criterion with priority ${priority} exists for command ${commandId}. Unable to remove.`);
      }
      return { ...current, clusterCriteria: current.clusterCriteria.filter((_, i) => i !== priority) };
    });
  }

  /** Clusters matching any of the command's criteria, whatever their status unless statuses are given. */
  async clustersForCommand(commandId: string, statuses?: readonly string[]): Promise<Cluster[]> {
    const parsed = statuses?.map((s) => parseStatus('cluster', s));
    const command = await this.getCommand(commandId);
    const criteria = command.clusterCriteria.map(effectiveCriterion).filter((c): c is Criterion => c !== undefined);
    const clusters = await this.repository.matchingAny('cluster', withoutCoveredCriteria(criteria));
    return parsed === undefined ? clusters : clusters.filter((c) => parsed.includes(c.status));
  }

  /** Per command criterion, in priority order, the clusters it selects (status UP unless it names one, by default). */
  async resolvedClustersForCommand(commandId: string, addDefaultStatus = true): Promise<ResolvedClusters[]> {
    const command = await this.getCommand(commandId);
    const resolved: ResolvedClusters[] = [];
    for (const criterion of command.clusterCriteria) {
      const effective = effectiveCriterion(criterion);
      const query = effective && addDefaultStatus ? withDefaultStatus(effective, DEFAULT_CLUSTER_STATUS) : effective;
      resolved.push({ criterion, clusters: query ? await this.repository.matchingAny('cluster', [query]) : [] });
    }
    return resolved;
  }

  // ---- queries for job resolution ----

  /** Commands matching the criterion (`genie.id:`/`genie.name:` tags honoured), ACTIVE unless it names a status. */
  async findCommandsMatching(criterion: Criterion): Promise<Command[]> {
    const effective = effectiveCriterion(criterion);
    if (!effective) return [];
    return this.repository.matchingAny('command', [withDefaultStatus(effective, DEFAULT_COMMAND_STATUS)]);
  }

  /**
   * Clusters matching at least one of the criteria, in one query. The criteria are used as given:
   * callers pass effective criteria (see effectiveCriterion) with the status they want.
   */
  findClustersMatchingAny(criteria: readonly Criterion[]): Promise<Cluster[]> {
    return this.repository.matchingAny('cluster', criteria);
  }

  // ---- rules ----

  private normalize<K extends ResourceKind>(
    kind: K,
    input: ResourceInput<K>,
    fixed: { id: string; created: number; updated: number; applicationIds: string[] },
  ): ResourceOf<K> {
    for (const field of ['version', 'user', 'name'] as const) {
      const value = input[field];
      if (typeof value !== 'string' || value.trim() === '' || value.length > 255) throw new InvalidInputError(REQUIRED_TEXT[field], field);
    }
    const status = parseStatus(kind, input.status);
    const base = {
      id: fixed.id,
      created: fixed.created,
      updated: fixed.updated,
      name: input.name,
      user: input.user,
      version: input.version,
      status,
      tags: cleanStrings(input.tags, true).sort(),
      configs: cleanStrings(input.configs),
      dependencies: cleanStrings(input.dependencies),
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(input.metadata === undefined || input.metadata === null ? {} : { metadata: input.metadata }),
      ...(input.setupFile === undefined || input.setupFile.trim() === '' ? {} : { setupFile: input.setupFile }),
    };
    if (kind === 'application') {
      const type = (input as unknown as ResourceInput<'application'>).type;
      return { ...base, ...(type === undefined ? {} : { type }) } as ResourceOf<K>;
    }
    if (kind === 'cluster') return base as ResourceOf<K>;
    const command = input as unknown as ResourceInput<'command'>;
    const executable = (command.executable ?? []).filter((part) => part.trim() !== '');
    if (executable.length === 0) throw new InvalidInputError('An executable is required', 'executable');
    const applicationIds = command.applicationIds ?? fixed.applicationIds;
    checkApplicationIds(applicationIds);
    if (new Set(applicationIds).size !== applicationIds.length) {
      throw new PreconditionError('List of applications to set cannot contain duplicates');
    }
    return {
      ...base,
      executable,
      runtime: { resources: { ...command.runtime?.resources }, images: { ...command.runtime?.images } },
      clusterCriteria: (command.clusterCriteria ?? []).map((c) => cleanCriterion(c)),
      applicationIds,
    } as ResourceOf<K>;
  }

  private async checkApplicationsExist(kind: ResourceKind, resource: ResourceOf<ResourceKind>): Promise<void> {
    if (kind !== 'command') return;
    const ids = (resource as Command).applicationIds;
    if (ids.length > 0) await this.getApplications(ids);
  }

  /** A foreign-key failure while writing links means an application vanished after it was checked. */
  private translateWriteError(error: unknown): unknown {
    if (this.repository.adapter.isForeignKeyViolation(error)) {
      return new NotFoundError('An application this command lists was deleted while the command was being saved; try again');
    }
    return error;
  }
}

function checkApplicationIds(ids: readonly string[]): void {
  for (const id of ids) {
    if (typeof id !== 'string' || id.trim() === '') throw new InvalidInputError('An application id must not be blank', 'applicationIds');
  }
}

function applicationInUse(id: string, commandIds: string[]): PreconditionError {
  return new PreconditionError(
    `Unable to delete application with id ${id} as it is still used by the following commands: ${commandIds.join(', ')}`,
    { id },
  );
}

/** A status parameter, case-insensitively, or Genie's "Unacceptable cluster status" error. */
export function parseStatus<K extends ResourceKind>(kind: K, value: string): ResourceOf<K>['status'] {
  const allowed = STATUSES_BY_KIND[kind];
  const upper = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!allowed.includes(upper)) {
    throw new InvalidInputError(`Unacceptable ${kind} status. Must be one of {${allowed.join(', ')}}`, 'status');
  }
  return upper as ResourceOf<K>['status'];
}
