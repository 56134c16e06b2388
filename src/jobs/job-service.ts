import { randomUUID } from 'node:crypto';
import type { JobsConfig } from '../config/jobs-config.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { LimitExceededError } from '../errors/limit-exceeded-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import { isQuarryError } from '../errors/quarry-error.ts';
import { TooLargeError } from '../errors/too-large-error.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { checkAttachmentName } from './attachment-name.ts';
import type { JobRecord } from './job-record.ts';
import type { Attachment, JobRequest, SubmissionContext } from './job-request.ts';
import type { JobSearchFilter } from './job-search.ts';
import type { JobStatusChange } from './job-status-history.ts';
import type { Page, PageRequest } from './paging.ts';
import type { JobSignals } from './job-signals.ts';
import { buildSpecification } from './job-specification-builder.ts';
import { StatusMessages, UNCLAIMED_STATUSES, isFinal } from '../protocol/agent/job-status.ts';
import type { AgentStore } from './agent-store.ts';
import type { JobStore } from './job-store.ts';
import type { SubmissionGate } from './submission-gate.ts';
import { JobResolutionError } from './resolution/job-resolution-error.ts';
import type { Resolution, ResolutionInput } from './resolution/job-resolution.ts';

export type ResolveJob = (input: ResolutionInput) => Promise<Resolution>;

const MAX_ARGUMENT_LENGTH = 10_000;

/**
 * Job submission, inspection and kill for the v3 API. Submission saves the job (RESERVED), resolves
 * it (RESOLVED), and leaves it ACCEPTED for an agent to claim, all before answering 202.
 */
export class JobService {
  constructor(
    private readonly store: JobStore,
    private readonly resolve: ResolveJob,
    private readonly attachmentStore: ObjectStore,
    private readonly config: JobsConfig,
    private readonly signals: JobSignals,
    private readonly gate: SubmissionGate,
    private readonly agentStore: AgentStore,
    /** This node's ServerNodes id while it advertises: recorded with each submission (see JobStore.findInterruptedSubmissions). */
    private readonly nodeId: () => string | undefined = () => undefined,
  ) {}

  /** Validates, saves, resolves and accepts a job; returns its id. */
  async submit(request: JobRequest, attachments: Attachment[], context: SubmissionContext): Promise<string> {
    // Refused before anything else, so a disabled system saves nothing (Genie's checkRejectJob).
    await this.gate.check();
    checkCriteria(request);
    checkArguments(request.commandArgs);
    const timeoutSeconds = request.timeout ?? this.config.timeoutDefaultSeconds;
    if (timeoutSeconds > this.config.timeoutMaxSeconds) {
      throw new InvalidInputError(`The timeout ${timeoutSeconds} s is above the maximum of ${this.config.timeoutMaxSeconds} s`, 'timeout');
    }
    this.checkAttachments(attachments);
    await this.checkActiveLimit(request.user);

    const id = request.id ?? randomUUID();
    const attachmentKeys = attachments.map((attachment) => `${id}/${attachment.name}`);
    const attachmentUris = attachmentKeys.map((key) => this.attachmentStore.uriOf(key));
    const archiveLocation = `${this.config.archiveRoot}/${id}`;
    // The insert reserves the id (a unique key): of two submissions racing for one id, the loser
    // stops here with 409 before writing anything, so it can neither orphan nor overwrite attachments.
    await this.store.insert(
      {
        id,
        created: Date.now(),
        name: request.name,
        user: request.user,
        version: request.version,
        description: request.description,
        metadata: request.metadata,
        tags: request.tags,
        request: { ...request, id: undefined },
        commandArgs: request.commandArgs,
        grouping: request.grouping,
        groupingInstance: request.groupingInstance,
        archiveLocation,
        archiveStatus: 'PENDING',
        timeoutSeconds,
        clientHost: context.clientHost,
        userAgent: context.userAgent,
        numAttachments: attachments.length,
        totalAttachmentSize: attachments.reduce((sum, a) => sum + a.data.length, 0),
        requestHeaders: context.genieHeaders,
      },
      StatusMessages.reserved,
      this.nodeId(),
    );

    let resolution: Resolution;
    try {
      resolution = await this.resolve({
        jobId: id,
        // v3 criteria are tag lists; the resolver folds `genie.id:`/`genie.name:` tags into id and name.
        clusterCriteria: request.clusterCriterias.map((c) => ({ tags: c.tags })),
        commandCriterion: { tags: request.commandCriteria },
        applicationIds: request.applications,
        request,
      });
    } catch (error) {
      const expected = isQuarryError(error) && error.kind !== 'unavailable';
      await this.store.changeStatus(id, 'RESERVED', 'FAILED', expected ? StatusMessages.resolutionFailed : StatusMessages.resolutionRuntimeError, { archiveStatus: 'NO_FILES' });
      // Genie keeps the job (FAILED) and answers 412 with what matched nothing.
      if (expected) throw new JobResolutionError(error.message, { id });
      throw error;
    }

    // Attachments are stored only for a job that will run: reserved and resolved.
    await this.saveAttachments(id, attachments, attachmentKeys);

    const spec = buildSpecification({ jobId: id, request, resolution, attachmentUris, timeoutSeconds, archiveLocation });
    const { cluster, command, applications } = resolution;
    const resolved = { clusterId: cluster.id, clusterName: cluster.name, commandId: command.id, commandName: command.name, applicationIds: applications.map((a) => a.id) };
    if (await this.store.markResolved(id, spec, resolved, StatusMessages.resolved)) {
      await this.store.changeStatus(id, 'RESOLVED', 'ACCEPTED', StatusMessages.accepted);
      this.signals.jobAvailable();
    } else {
      // Killed (or failed by the leader) while being resolved: it will never run.
      await this.deleteAttachments(attachmentKeys);
    }
    return id;
  }

  /**
   * Saves a reserved job's attachments. If one cannot be saved, the submission is rolled back: the
   * attachments already saved and the job row are deleted, so the caller's error leaves nothing behind.
   */
  private async saveAttachments(id: string, attachments: Attachment[], keys: string[]): Promise<void> {
    try {
      for (const [i, attachment] of attachments.entries()) await this.attachmentStore.put(keys[i]!, attachment.data);
    } catch (error) {
      await this.deleteAttachments(keys);
      await this.store.delete(id);
      throw error;
    }
  }

  private async deleteAttachments(keys: string[]): Promise<void> {
    for (const key of keys) await this.attachmentStore.delete(key).catch(() => undefined);
  }

  async get(id: string): Promise<JobRecord> {
    const job = await this.store.get(id);
    if (!job) throw new NotFoundError(`No job with id ${id} exists`, { id });
    return job;
  }

  /** The statuses a job has entered, oldest first; NotFoundError for an unknown job. */
  async statusHistory(id: string): Promise<JobStatusChange[]> {
    await this.get(id);
    return this.store.statusHistory(id);
  }

  search(filter: JobSearchFilter, page: PageRequest): Promise<Page<JobRecord>> {
    return this.store.search(filter, page);
  }

  /**
   * Kills a job: one not yet claimed becomes KILLED here; a claimed one gets a kill request its agent
   * acts on. Killing a finished job is a no-op. Races with a claiming agent are settled by the
   * compare-and-set: whichever loses sees the other's status and follows the other path.
   */
  async kill(id: string): Promise<void> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const job = await this.get(id);
      if (isFinal(job.status)) return;
      if (UNCLAIMED_STATUSES.includes(job.status)) {
        const outcome = await this.store.changeStatus(id, job.status, 'KILLED', StatusMessages.killedByUser, { archiveStatus: 'NO_FILES' });
        if (outcome.changed || isFinal(outcome.status)) return;
        continue;
      }
      await this.agentStore.requestKill(id);
      if (job.agentId) this.signals.killRequested(job.agentId);
      return;
    }
  }

  private checkAttachments(attachments: Attachment[]): void {
    let total = 0;
    for (const attachment of attachments) {
      checkAttachmentName(attachment.name);
      total += attachment.data.length;
    }
    const names = new Set(attachments.map((a) => a.name));
    if (names.size !== attachments.length) throw new InvalidInputError('Two attachments have the same file name', 'attachment');
    if (total > this.config.attachments.maxTotalBytes) {
      throw new TooLargeError(`Attachments total ${total} bytes, more than the limit of ${this.config.attachments.maxTotalBytes} bytes`, { limit: this.config.attachments.maxTotalBytes });
    }
  }

  private async checkActiveLimit(user: string): Promise<void> {
    const { activeLimit } = this.config;
    if (!activeLimit.enabled) return;
    const limit = activeLimit.overrides[user] ?? activeLimit.count;
    const active = await this.store.countActiveForUser(user);
    if (active >= limit) throw new LimitExceededError(`User exceeded active jobs limit (${active}/${limit})`, { user, activeJobs: active, limit });
  }
}

/** Blank tags are dropped before this check, so a criterion of only blanks is empty here (Genie: 412, not saved). */
function checkCriteria(request: JobRequest): void {
  request.clusterCriterias.forEach((criterion, i) => {
    if (criterion.tags.length === 0) throw new InvalidInputError(`Cluster criteria ${i} has no tags; each criteria needs at least one non-blank tag`, `clusterCriterias[${i}].tags`);
  });
  if (request.commandCriteria.length === 0) throw new InvalidInputError('The command criteria needs at least one non-blank tag', 'commandCriteria');
}

function checkArguments(commandArgs: string | undefined): void {
  if (commandArgs === undefined) return;
  for (const argument of commandArgs.split(/\s+/)) {
    if (argument.length > MAX_ARGUMENT_LENGTH) {
      throw new InvalidInputError('Max length of an individual command line argument is 10,000 characters', 'commandArgs');
    }
  }
}
