import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The installation's agent secret (`QUARRY_AGENT_TOKEN`, or generated under QUARRY_HOME): agents
 * present it to register (and then the credential the server issued them, src/auth/agent-credentials.ts),
 * and the server presents it when it reads live job files from an agent, so neither side acts on a
 * stranger's word.
 */
export function agentAuthorization(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Whether an Authorization header carries the token; compared in constant time, whatever its length. */
export function carriesAgentToken(header: string | string[] | undefined, token: string): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  const presented = /^Bearer\s+(.+)$/i.exec(value?.trim() ?? '')?.[1] ?? '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

/** What a caller without the token is told: enough to fix the set-up, nothing about the token. */
export const AGENT_TOKEN_REQUIRED =
  'This server requires an agent credential: send "Authorization: Bearer <secret>" with the installation agent secret (QUARRY_AGENT_TOKEN, or the agent-secret file in the server\'s QUARRY_HOME) to register, and the credential issued at registration after that';
