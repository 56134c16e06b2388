/**
 * An API token (migration 0501): who it speaks for and whether as an admin. Only the SHA-256 of the
 * secret is kept; the secret is shown once, when the token is created.
 */
export interface AuthTokenTable {
  id: string;
  user_name: string;
  /** 0/1. */
  admin: number;
  secret_hash: string;
  description: string | null;
  created: number;
  /** When it was revoked; revoked tokens stay listed but authenticate nobody. */
  revoked: number | null;
}

/**
 * The credential an agent id is bound to (migration 0502): issued by the server when the id is
 * first registered, so only the agent that registered it can act as that id afterwards.
 */
export interface AuthAgentCredentialTable {
  agent_id: string;
  secret_hash: string;
  created: number;
}

export interface AuthTables {
  auth_token: AuthTokenTable;
  auth_agent_credential: AuthAgentCredentialTable;
}
