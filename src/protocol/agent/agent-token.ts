import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The shared secret between a server and its agents (`QUARRY_AGENT_TOKEN`). Agents present it on
 * every agent API call, and the server presents it when it reads live job files from an agent, so
 * neither side acts on a stranger's word. Without one configured both APIs are open, which suits the
 * embedded single-host default and nothing else.
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
export const AGENT_TOKEN_REQUIRED = 'This server requires the agent token: send "Authorization: Bearer <token>" with the value of QUARRY_AGENT_TOKEN';
