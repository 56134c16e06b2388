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

  /**
   * Renews the lease. With `hedgeAfterMs` and several nodes, a node that has not answered within it
   * (paused, or its host hung: the connection is open and nothing comes back) is not waited on
   * alone: the next node is asked as well, one more each period, and the first answer counts and
   * becomes the current node. A heartbeat is safe to repeat, and any node answers from the shared
   * database. Without hedging, a silent node would hold the agent until the request timeout (15 s),
   * past the fence of a short lease, and the agent would kill jobs that another node would have kept.
   */
  async heartbeat(jobIds: string[], hedgeAfterMs?: number): Promise<string[]> {
    const path = `/api/agent/v1/agents/${this.agentId}/heartbeat`;
    const result: KillList =
      hedgeAfterMs !== undefined && this.endpoints.all.length > 1 ? await this.hedged('POST', path, { jobIds }, hedgeAfterMs) : await this.call('POST', path, { jobIds });
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
    // A change the outbox cannot keep (the agent's disk is full) is still delivered, only without
    // surviving an agent restart: refusing to report would leave the job for the lease to fail, or,
    // before it ran, requeued and claimed again by this same agent without end.
    const outbox = await this.events.outbox
      ?.put({ jobId, agentId: this.agentId, agentPid: process.pid, change })
      .then(() => this.events.outbox)
      .catch((error: unknown) => {
        this.events.log?.(`could not keep job ${jobId}'s status ${change.status} in the outbox (${(error as Error).message}); delivering it from memory`);
        return undefined;
      });
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
        return await this.request<T>(base, method, path, body, options.timeoutMs ?? 15_000, options.signal);
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

  /** One request to one node: its answer, ServerRejectedError for a 4xx, an Error for a 5xx or no answer. */
  private async request<T>(base: string, method: string, path: string, body: unknown, timeoutMs: number, signal?: AbortSignal): Promise<T> {
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
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
  }

  /**
   * Asks the current node, then each further node after every `hedgeAfterMs` without an answer (or
   * at once when one fails); the first answer wins, the other requests are abandoned, and the node
   * that answered becomes current. A 4xx is an answer too. Fails when every node has failed.
   */
  private hedged<T>(method: string, path: string, body: unknown, hedgeAfterMs: number): Promise<T> {
    const nodes = this.endpoints.fromCurrent();
    const abandon = new AbortController();
    return new Promise<T>((resolve, reject) => {
      let next = 0;
      let failed = 0;
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (finish: () => void) => {
        settled = true;
        clearTimeout(timer);
        abandon.abort();
        finish();
      };
      const askNext = () => {
        clearTimeout(timer);
        if (settled || next >= nodes.length) return;
        const base = nodes[next++]!;
        this.request<T>(base, method, path, body, 15_000, abandon.signal).then(
          (value) => {
            if (settled) return;
            this.endpoints.use(base);
            settle(() => resolve(value));
          },
          (error: unknown) => {
            if (settled) return;
            if (error instanceof ServerRejectedError) return settle(() => reject(error));
            this.endpoints.failover(base);
            if (++failed === nodes.length) return settle(() => reject(error));
            askNext();
          },
        );
        if (next < nodes.length) timer = setTimeout(askNext, hedgeAfterMs);
      };
      askNext();
    });
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
