import type {
  AgentRegistration,
  AgentSettings,
  ClaimResponse,
  JobStates,
  KillList,
  ServerNodeList,
  StatusChange,
  StatusChangeResult,
} from '../protocol/agent/agent-protocol.ts';
import type { ArchiveStatus } from '../protocol/agent/job-status.ts';
import { AgentCredential } from './agent-credential.ts';
import { ServerEndpoints } from './server-endpoints.ts';
import type { StatusOutbox } from './status-outbox.ts';

/** The server answered with an error status that retrying will not fix. */
export class ServerRejectedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a ServerClient reports besides answers: reaching a node again, losing all of them. */
export interface ServerClientEvents {
  /** Called once when no node answers (with the last failure), and once when one answers again. */
  log?: (line: string) => void;
  /** Called whenever a node answered, even with an error: the agent is in touch with the cluster. */
  reached?: () => void;
  /** Status changes are kept here until a node answers them. */
  outbox?: StatusOutbox;
  /** The credential the server issued this id before (a restarted agent). */
  credential?: string;
  /** Told of a newly issued credential, to keep it with the id. */
  issued?: (credential: string) => void;
}

/**
 * The agent's side of the agent API (`/api/agent/v1`). Calls that must not be lost (status changes,
 * archive status) retry with backoff while no node is reachable or answers 5xx (503 while the
 * database is away) — a restarting server must find every change the agent made while it was away.
 * With several server URLs every call fails over to the next node (ServerEndpoints).
 */
export class ServerClient {
  readonly endpoints: ServerEndpoints;
  private readonly credential: AgentCredential;
  private unreachable = false;

  constructor(
    serverUrl: string | readonly string[],
    readonly agentId: string,
    private readonly stopping: () => boolean = () => false,
    /** The installation's agent secret (QUARRY_AGENT_TOKEN or the server home's agent-secret): registers this id. */
    token?: string,
    private readonly events: ServerClientEvents = {},
  ) {
    this.endpoints = new ServerEndpoints(serverUrl);
    this.credential = new AgentCredential(token, events.credential, events.issued);
  }

  /**
   * Registers this agent's id; the first registration is answered the credential every later call
   * carries. If the server no longer knows that credential (401: a new database), the id is
   * registered afresh with the installation secret.
   */
  async register(registration: AgentRegistration): Promise<AgentSettings> {
    const path = `/api/agent/v1/agents/${this.agentId}`;
    let settings: AgentSettings;
    try {
      settings = await this.call('PUT', path, registration, { retry: true });
    } catch (error) {
      if (!(error instanceof ServerRejectedError && error.status === 401 && this.credential.registered)) throw error;
      this.credential.forget();
      settings = await this.call('PUT', path, registration, { retry: true });
    }
    this.credential.accept(settings.credential);
    return settings;
  }

  async claimNext(waitMs: number, signal?: AbortSignal): Promise<ClaimResponse | undefined> {
    return this.call('POST', `/api/agent/v1/agents/${this.agentId}/claims?waitMs=${waitMs}`, undefined, { signal, timeoutMs: waitMs + 15_000 });
  }

  claim(jobId: string): Promise<ClaimResponse> {
    return this.call('POST', `/api/agent/v1/agents/${this.agentId}/jobs/${encodeURIComponent(jobId)}/claim`, undefined, { retry: true });
  }

  adopt(jobId: string, previousAgentId: string): Promise<StatusChangeResult> {
    return this.call('POST', `/api/agent/v1/agents/${this.agentId}/jobs/${encodeURIComponent(jobId)}/adopt`, { previousAgentId }, { retry: true });
  }

  async heartbeat(jobIds: string[]): Promise<string[]> {
    const result: KillList = await this.call('POST', `/api/agent/v1/agents/${this.agentId}/heartbeat`, { jobIds });
    return result.jobIds;
  }

  async waitForKills(waitMs: number, acknowledged: string[], signal?: AbortSignal): Promise<string[]> {
    const ack = acknowledged.map((id) => `&ack=${encodeURIComponent(id)}`).join('');
    const result: KillList = await this.call('GET', `/api/agent/v1/agents/${this.agentId}/kills?waitMs=${waitMs}${ack}`, undefined, {
      signal,
      timeoutMs: waitMs + 15_000,
    });
    return result.jobIds;
  }

  /** The live server nodes' URLs (GET /api/agent/v1/nodes); a node without that route answers none. */
  async liveNodes(): Promise<string[]> {
    try {
      const result: ServerNodeList = await this.call('GET', '/api/agent/v1/nodes');
      return result.nodes;
    } catch (error) {
      if (error instanceof ServerRejectedError && error.status === 404) return [];
      throw error;
    }
  }

  async jobStates(jobIds: string[]): Promise<JobStates['jobs']> {
    const result: JobStates = await this.call('POST', `/api/agent/v1/agents/${this.agentId}/job-states`, { jobIds });
    return result.jobs;
  }

  /**
   * Reports a status change; it sits in the outbox (if any) until a node answers it. A node answers a
   * repeat of a change it already applied as done (changed: true), so a retry after a lost answer
   * is safe.
   */
  async changeStatus(jobId: string, change: Omit<StatusChange, 'agentId'>): Promise<StatusChangeResult> {
    const outbox = this.events.outbox;
    await outbox?.put({ jobId, agentId: this.agentId, agentPid: process.pid, change });
    try {
      const result: StatusChangeResult = await this.call('PUT', `/api/agent/v1/jobs/${encodeURIComponent(jobId)}/status`, { ...change, agentId: this.agentId }, { retry: true });
      await outbox?.acknowledge(jobId);
      return result;
    } catch (error) {
      // A refusal is an answer: nothing left to deliver. Anything else (stopping) stays for a successor.
      if (error instanceof ServerRejectedError) await outbox?.acknowledge(jobId);
      throw error;
    }
  }

  async setArchiveStatus(jobId: string, archiveStatus: ArchiveStatus): Promise<void> {
    await this.call('PUT', `/api/agent/v1/jobs/${encodeURIComponent(jobId)}/archive-status`, { agentId: this.agentId, archiveStatus }, { retry: true });
  }

  private async call<T>(method: string, path: string, body?: unknown, options: { retry?: boolean; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<T> {
    let delay = 200;
    // Without retry a call still tries each node once before failing.
    let attemptsLeft = options.retry ? Infinity : this.endpoints.all.length;
    for (;;) {
      const base = this.endpoints.current;
      try {
        const signals = [AbortSignal.timeout(options.timeoutMs ?? 15_000), ...(options.signal ? [options.signal] : [])];
        const response = await fetch(`${base}${path}`, {
          method,
          headers: { ...this.credential.authorization(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.any(signals),
        });
        this.reachedNode();
        if (response.status === 204) return undefined as T;
        const text = await response.text();
        if (response.ok) return JSON.parse(text) as T;
        const message = (() => {
          try {
            return (JSON.parse(text) as { message?: string }).message ?? text;
          } catch {
            return text;
          }
        })();
        if (response.status < 500) throw new ServerRejectedError(response.status, `${method} ${path}: ${response.status} ${message}`);
        throw new Error(`${method} ${path}: ${response.status} ${message}`);
      } catch (error) {
        if (error instanceof ServerRejectedError || this.stopping() || options.signal?.aborted) throw error;
        this.endpoints.failover(base);
        if (--attemptsLeft <= 0) throw error;
        // Each node once in quick succession, then back off before the next round.
        if (this.endpoints.current === this.endpoints.all[0]) {
          this.noNodeAnswered(error);
          await sleep(delay);
          delay = Math.min(delay * 2, 5_000);
        }
      }
    }
  }

  private reachedNode(): void {
    this.events.reached?.();
    if (!this.unreachable) return;
    this.unreachable = false;
    this.events.log?.(`reached server ${this.endpoints.current} again`);
  }

  private noNodeAnswered(error: unknown): void {
    if (this.unreachable) return;
    this.unreachable = true;
    this.events.log?.(`no server answers (${this.endpoints.all.join(', ')}): ${(error as Error).message}; retrying with backoff`);
  }
}
