import type { QuarryConfig } from '../config/config.ts';
import type { Database } from '../db/database.ts';
import type { AuthConfig } from '../config/auth-config.ts';
import { AgentCredentials } from './agent-credentials.ts';
import { ApiTokens } from './api-tokens.ts';
import { createUserAuthenticator, type UserAuthenticator } from './user-authenticator.ts';

/** Authentication of one server node: who users and agents are, from configuration and the database. */
export interface AuthArea {
  readonly config: AuthConfig;
  readonly users: UserAuthenticator;
  readonly agents: AgentCredentials;
  readonly tokens: ApiTokens;
}

/** `config.agentToken` must already be resolved (configured, or the installation's generated secret). */
export function openAuthArea(config: QuarryConfig, database: Database): AuthArea {
  if (!config.agentToken) throw new Error('openAuthArea needs the agent secret resolved (configured or generated under QUARRY_HOME)');
  const tokens = new ApiTokens(database);
  return {
    config: config.auth,
    users: createUserAuthenticator(config.auth, tokens),
    agents: new AgentCredentials(database, config.agentToken),
    tokens,
  };
}
