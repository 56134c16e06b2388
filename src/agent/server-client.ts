import type {
  AgentRegistration,
  AgentSettings,
  ClaimResponse,
  JobStates,
  KillList,
  StatusChange,
  StatusChangeResult,
} from '../jobs/agent-protocol.ts';
import type { ArchiveStatus } from '../jobs/job-status.ts';
import { AgentCredential } from './agent-credential.ts';

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

/**
 * The agent's side of the agent API (`/api/agent/v1`). Calls that must not be lost (status changes,
 * archive status) retry while the server is unreachable or answers 5xx — a restarting server must
 * find every change the agent made while it was away.
 */
export class ServerClient {
  private readonly base: string;
  private readonly credential: AgentCredential;

  constructor(
    serverUrl: string,
    readonly agentId: string,
    private readonly stopping: () => boolean = () => false,
    /** The installation's agent secret (QUARRY_AGENT_TOKEN or the server home's agent-secret): registers this id. */
    token?: string,
  ) {
    this.base = serverUrl.replace(/\/+$/, '');
    this.credential = new AgentCredential(token);
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

  async jobStates(jobIds: string[]): Promise<JobStates['jobs']> {
    const result: JobStates = await this.call('POST', `/api/agent/v1/agents/${this.agentId}/job-states`, { jobIds });
    return result.jobs;
  }

  changeStatus(jobId: string, change: Omit<StatusChange, 'agentId'>): Promise<StatusChangeResult> {
    return this.call('PUT', `/api/agent/v1/jobs/${encodeURIComponent(jobId)}/status`, { ...change, agentId: this.agentId }, { retry: true });
  }

  async setArchiveStatus(jobId: string, archiveStatus: ArchiveStatus): Promise<void> {
    await this.call('PUT', `/api/agent/v1/jobs/${encodeURIComponent(jobId)}/archive-status`, { agentId: this.agentId, archiveStatus }, { retry: true });
  }

  private async call<T>(method: string, path: string, body?: unknown, options: { retry?: boolean; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<T> {
    let delay = 200;
    for (;;) {
      try {
        const signals = [AbortSignal.timeout(options.timeoutMs ?? 15_000), ...(options.signal ? [options.signal] : [])];
        const response = await fetch(`${this.base}${path}`, {
          method,
          headers: { ...this.credential.authorization(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.any(signals),
        });
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
        if (error instanceof ServerRejectedError || !options.retry || this.stopping() || options.signal?.aborted) throw error;
        await sleep(delay);
        delay = Math.min(delay * 2, 5_000);
      }
    }
  }
}
