import type { JobsConfig } from '../config/jobs-config.ts';
import { ConflictError } from '../errors/conflict-error.ts';
import { ForbiddenError } from '../errors/forbidden-error.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import type { AgentRegistration, AgentSettings, ClaimResponse, JobStates, StatusChange, StatusChangeResult } from '../protocol/agent/agent-protocol.ts';
import type { AgentStore } from './agent-store.ts';
import type { JobRecord } from './job-record.ts';
import type { JobSignals } from './job-signals.ts';
import { StatusMessages, canTransition, isFinal, type ArchiveStatus } from '../protocol/agent/job-status.ts';
import type { JobStore } from './job-store.ts';

/** Longest a long poll is held; agents ask again at once. */
export const MAX_POLL_MS = 30_000;
/** How often a waiting long poll re-reads the database, for work arriving through another node. */
const DB_POLL_MS = 250;

/** The server side of the agent API: registration, claims, heartbeats, kill notices, status changes. */
export class AgentService {
  /** Aborted by close(): every long poll answers at once and none reads the database again. */
  private readonly closing = new AbortController();
  private readonly polls = new Set<Promise<unknown>>();

  constructor(
    private readonly store: JobStore,
    private readonly signals: JobSignals,
    private readonly config: JobsConfig,
    private readonly agentStore: AgentStore,
  ) {}

  async register(agentId: string, registration: AgentRegistration): Promise<AgentSettings> {
    await this.agentStore.upsertAgent({ id: agentId, ...registration });
    return {
      heartbeatIntervalMs: this.config.heartbeatIntervalMs,
      killGraceMs: this.config.killGraceMs,
      leaseTimeoutMs: this.config.heartbeatTimeoutMs,
      filesLimit: this.config.filesLimit,
      directoryCleanup: this.config.directoryCleanup,
    };
  }

  /**
   * Ends the long polls before the database closes (the server is stopping): each answers what it
   * has — no job, no kill — and close() resolves once none of them can touch the database any more.
   * Polls that arrive afterwards answer the same at once. Idempotent.
   */
  async close(): Promise<void> {
    this.closing.abort();
    await Promise.allSettled([...this.polls]);
  }

  /** Claims the oldest accepted job for the agent, waiting up to `waitMs` for one to arrive. */
  claimNext(agentId: string, waitMs: number, signal?: AbortSignal): Promise<ClaimResponse | undefined> {
    return this.poll(signal, undefined, async (stop) => {
      const agent = await this.requireAgent(agentId);
      const deadline = Date.now() + Math.min(waitMs, MAX_POLL_MS);
      for (;;) {
        const job = await this.store.claimNext(agentId, agent.host_name, StatusMessages.claimed);
        if (job) return claimResponse(job);
        const left = deadline - Date.now();
        if (left <= 0 || stop.aborted) return undefined;
        await this.signals.waitForJob(Math.min(left, DB_POLL_MS), stop);
        // After a hang-up or close(), the database is not read again (it may be closing).
        if (stop.aborted) return undefined;
      }
    });
  }

  /**
   * Runs one long poll under `stop` (the caller's hang-up or close()) and tracks it for close().
   * After close() the poll answers `closed` without reading the database.
   */
  private poll<T>(signal: AbortSignal | undefined, closed: T, body: (stop: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closing.signal.aborted) return Promise.resolve(closed);
    const stop = signal ? AbortSignal.any([signal, this.closing.signal]) : this.closing.signal;
    const running = body(stop);
    this.polls.add(running);
    const forget = () => this.polls.delete(running);
    running.then(forget, forget);
    return running;
  }

  /** Claims one named job (an agent started for that job alone). */
  async claim(agentId: string, jobId: string): Promise<ClaimResponse> {
    const agent = await this.requireAgent(agentId);
    const job = await this.store.claim(jobId, agentId, agent.host_name, StatusMessages.claimed);
    if (job) return claimResponse(job);
    const current = await this.store.get(jobId);
    if (!current) throw new NotFoundError(`No job with id ${jobId} exists`, { id: jobId });
    // Only about the caller's own jobs: another agent's id is never told (it would let a stranger act as it).
    const holder = current.agentId === undefined ? '' : current.agentId === agentId ? ' and already claimed by this agent' : ' and claimed by another agent';
    throw new ConflictError(`Job ${jobId} cannot be claimed: it is ${current.status}${holder}`, { status: current.status });
  }

  /**
   * A restarted agent takes its running job back (fresh heartbeat; answers its status and whether a
   * kill is pending); 409 if the job ended or is no longer held by it. Jobs are bound to the agent's
   * identity, not to a host name anyone may claim: the caller is already proven to be `agentId` by
   * that id's credential (src/auth), and only the id holding a job may adopt it — an agent keeps its
   * id and credential across restarts for this (src/agent/agent-state-folder.ts). Naming another
   * agent as the previous holder is refused (403), whatever host either registered.
   */
  async adopt(agentId: string, jobId: string, previousAgentId: string): Promise<StatusChangeResult> {
    const agent = await this.requireAgent(agentId);
    if (previousAgentId !== agentId) {
      throw new ForbiddenError(
        `Agent ${agentId} may adopt only its own jobs (previousAgentId must be ${agentId}): jobs are bound to the agent that claimed them, which re-adopts them after a restart with its own id and credential`,
        { id: jobId },
      );
    }
    const job = await this.store.adopt(jobId, previousAgentId, agentId, agent.host_name);
    if (job) return { changed: true, status: job.status, killRequested: job.killRequestedAt !== undefined };
    const current = await this.store.get(jobId);
    if (!current) throw new NotFoundError(`No job with id ${jobId} exists`, { id: jobId });
    const owner = current.agentId === undefined ? 'no agent' : current.agentId === previousAgentId ? `agent ${previousAgentId}` : 'another agent';
    throw new ConflictError(`Job ${jobId} cannot be adopted: it is ${current.status} and held by ${owner}`, { status: current.status });
  }

  async heartbeat(agentId: string, jobIds: string[]): Promise<string[]> {
    await this.requireAgent(agentId);
    return this.agentStore.heartbeat(agentId, jobIds);
  }

  /**
   * Answers the agent's jobs that should be killed, waiting up to `waitMs` for one it has not
   * acknowledged yet (kill requests stay until the job ends, so the agent names those it acts on).
   */
  waitForKills(agentId: string, waitMs: number, acknowledged: string[] = [], signal?: AbortSignal): Promise<string[]> {
    return this.poll(signal, [], async (stop) => {
      await this.requireAgent(agentId);
      const deadline = Date.now() + Math.min(waitMs, MAX_POLL_MS);
      const known = new Set(acknowledged);
      for (;;) {
        const ids = (await this.agentStore.killRequests(agentId)).filter((id) => !known.has(id));
        const left = deadline - Date.now();
        if (ids.length > 0 || left <= 0 || stop.aborted) return ids;
        await this.signals.waitForKill(agentId, Math.min(left, DB_POLL_MS * 4), stop);
        if (stop.aborted) return [];
      }
    });
  }

  /**
   * The agent's compare-and-set status change; a lost race answers the actual status, not an error.
   * A repeat of a change this agent already made (its first answer was lost with a connection)
   * answers changed: true, so the agent carries on instead of dropping a job it owns.
   */
  async changeStatus(jobId: string, change: StatusChange): Promise<StatusChangeResult> {
    const job = await this.requireOwned(jobId, change.agentId);
    if (change.expected !== change.status && !canTransition(change.expected, change.status)) {
      throw new InvalidInputError(`A job cannot go from ${change.expected} to ${change.status}`, 'status');
    }
    const outcome = await this.store.changeStatus(jobId, change.expected, change.status, change.message, {
      agentId: change.agentId,
      exitCode: change.exitCode,
      processId: change.processId,
      ...(isFinal(change.status) ? { finished: finishTime(change.time, job, Date.now()) } : {}),
    });
    const after = outcome.job ?? job;
    const alreadyDone = !outcome.changed && outcome.status === change.status && after.agentId === change.agentId;
    return { changed: outcome.changed || alreadyDone, status: outcome.status, killRequested: after.killRequestedAt !== undefined };
  }

  /** Status, archive status and end of the named jobs, so the agent can tell which directories it may delete. */
  async jobStates(agentId: string, jobIds: string[]): Promise<JobStates> {
    await this.requireAgent(agentId);
    return { jobs: await this.store.states(jobIds) };
  }

  async setArchiveStatus(jobId: string, agentId: string, archiveStatus: ArchiveStatus): Promise<void> {
    await this.requireOwned(jobId, agentId);
    await this.store.setArchiveStatus(jobId, agentId, archiveStatus);
  }

  private async requireAgent(agentId: string) {
    const agent = await this.agentStore.getAgent(agentId);
    if (!agent) throw new NotFoundError(`No agent with id ${agentId} is registered; register with PUT /api/agent/v1/agents/${agentId}`, { agentId });
    return agent;
  }

  private async requireOwned(jobId: string, agentId: string): Promise<JobRecord> {
    const job = await this.store.get(jobId);
    if (!job) throw new NotFoundError(`No job with id ${jobId} exists`, { id: jobId });
    if (job.agentId === undefined) throw new ConflictError(`Job ${jobId} is not claimed by agent ${agentId}`, { status: job.status });
    // Held by another agent: a report about it is forged, whatever the job's state.
    if (job.agentId !== agentId) throw new ForbiddenError(`Job ${jobId} is held by another agent: agent ${agentId} reports only on jobs it claimed`, { id: jobId });
    return job;
  }
}

/**
 * The agent's own time of a final status when it is plausible — not before the job started on the
 * server's clock, not in the server's future — so a job that ended while no server could hear of it
 * keeps its real end; otherwise (no time, or a clock too far off) the server's `now`.
 */
export function finishTime(agentTime: number | undefined, job: JobRecord, now: number): number {
  if (agentTime === undefined) return now;
  const earliest = job.started ?? job.created;
  return agentTime >= earliest && agentTime <= now ? agentTime : now;
}

function claimResponse(job: JobRecord): ClaimResponse {
  if (!job.specification) throw new Error(`Job ${job.id} was claimed without a specification`);
  return { job: job.specification.agent, killRequested: job.killRequestedAt !== undefined };
}

