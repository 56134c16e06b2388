import { agentAuthorization } from '../protocol/agent/agent-token.ts';

/**
 * What an agent shows the server: the installation's agent secret until its id is registered, then
 * the credential the server issued to that id (src/auth/agent-credentials.ts), which alone lets
 * anyone act as the id. A long-lived agent keeps it (with its id) in its own state folder, so after
 * a restart it is the same agent and its jobs are still its own (see AgentStateFolder).
 */
export class AgentCredential {
  constructor(
    private readonly installationSecret?: string,
    /** A credential issued to this id before (the agent restarted). */
    private issued?: string,
    /** Told of each newly issued credential, to keep it. */
    private readonly onIssued?: (credential: string) => void,
  ) {}

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
    if (credential && credential !== this.issued) {
      this.issued = credential;
      this.onIssued?.(credential);
    }
  }

  /** The server no longer knows the issued credential (a new database): register afresh with the installation secret. */
  forget(): void {
    this.issued = undefined;
  }
}
