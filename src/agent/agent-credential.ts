import { agentAuthorization } from '../protocol/agent/agent-token.ts';

/**
 * What an agent shows the server: the installation's agent secret until its id is registered, then
 * the credential the server issued to that id (src/auth/agent-credentials.ts), which alone lets
 * anyone act as the id. The issued credential lives in this process only; an agent that restarts
 * registers a new id (adopting its predecessor's jobs on the same host).
 */
export class AgentCredential {
  private issued?: string;

  constructor(private readonly installationSecret?: string) {}

  /** The Authorization header for the next call. */
  authorization(): Record<string, string> {
    return agentAuthorization(this.issued ?? this.installationSecret);
  }

  /** Whether the server has issued this agent its own credential. */
  get registered(): boolean {
    return this.issued !== undefined;
  }

  /** Keeps the credential a registration answered (a repeat registration answers none: keep the one held). */
  accept(credential: string | undefined): void {
    if (credential) this.issued = credential;
  }

  /** The server no longer knows the issued credential (a new database): register afresh with the installation secret. */
  forget(): void {
    this.issued = undefined;
  }
}
