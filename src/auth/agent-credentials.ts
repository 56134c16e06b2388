import type { Database } from '../db/database.ts';
import { ForbiddenError } from '../errors/forbidden-error.ts';
import type { Principal } from './principal.ts';
import { hashSecret, newSecret, sameSecret } from './secret-hash.ts';

/** Prefix of credentials issued to agent ids. */
export const AGENT_CREDENTIAL_PREFIX = 'qra_';

/**
 * How agents prove who they are, in every auth mode. Two kinds of secret:
 * - the installation's agent secret (QUARRY_AGENT_TOKEN, or generated under QUARRY_HOME), shared by
 *   the server and every agent it may trust: it only lets an agent register a NEW id, and it is what
 *   the server shows agents' job-file endpoints;
 * - a per-agent credential the server issues when an id is first registered, bound to that id in the
 *   database (hashed): every later call as that id — re-registration, heartbeat, claims, kill polls,
 *   status reports — must carry it, so no other holder of the installation secret can act as it.
 */
export class AgentCredentials {
  constructor(
    private readonly database: Database,
    private readonly installationSecret: string,
  ) {}

  /** Who a presented secret belongs to: an agent id, the installation, or nobody (undefined). */
  async authenticate(secret: string): Promise<Principal | undefined> {
    if (sameSecret(secret, this.installationSecret)) return { kind: 'installation' };
    if (!secret.startsWith(AGENT_CREDENTIAL_PREFIX)) return undefined;
    const row = await this.database.db.selectFrom('auth_agent_credential').select('agent_id').where('secret_hash', '=', hashSecret(secret)).executeTakeFirst();
    return row ? { kind: 'agent', agentId: row.agent_id } : undefined;
  }

  /**
   * Binds a new agent id to a fresh credential and answers it (the only time it exists in clear).
   * An id that is already bound stays with its credential: 403, whoever asks with the installation
   * secret. The primary key decides between two registrations racing for one id.
   */
  async bind(agentId: string, now = Date.now()): Promise<string> {
    const credential = newSecret(AGENT_CREDENTIAL_PREFIX);
    try {
      await this.database.db.insertInto('auth_agent_credential').values({ agent_id: agentId, secret_hash: hashSecret(credential), created: now }).execute();
    } catch (error) {
      if (!this.database.adapter.isUniqueViolation(error)) throw error;
      throw new ForbiddenError(alreadyBound(agentId), { agentId });
    }
    return credential;
  }
}

export function alreadyBound(agentId: string): string {
  return `Agent id ${agentId} is already registered with its own credential: only that agent may register, heartbeat, claim or report as it (an agent re-registers with the credential the server issued it; a new agent picks a new id)`;
}
