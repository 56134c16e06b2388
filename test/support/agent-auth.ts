import type { TestPlatform } from './platform.ts';

/** The Authorization header with a node's installation agent secret (it only registers new agent ids). */
export function installationAuth(t: TestPlatform): Record<string, string> {
  return { authorization: `Bearer ${t.platform.config.agentToken!}` };
}

/**
 * Registers agent `id` with the node through `app.inject`, as an agent does at start, and answers the
 * Authorization header with the credential the server issued to it (the one that acts as `id`).
 */
export async function registerTestAgent(t: TestPlatform, id: string, registration: Record<string, unknown> = {}): Promise<Record<string, string>> {
  const response = await t.app.inject({
    method: 'PUT',
    url: `/api/agent/v1/agents/${id}`,
    headers: installationAuth(t),
    payload: { hostName: 'h', pid: 1, version: '1', ...registration },
  });
  if (response.statusCode !== 200) throw new Error(`registering agent ${id} answered ${response.statusCode}: ${response.body}`);
  const { credential } = response.json() as { credential?: string };
  if (!credential) throw new Error(`registering agent ${id} answered no credential`);
  return { authorization: `Bearer ${credential}` };
}

/** The same over HTTP, for a node listening at `url` whose installation secret is `secret`. */
export async function registerAgentAt(url: string, secret: string, id: string, registration: Record<string, unknown> = {}): Promise<Record<string, string>> {
  const response = await fetch(`${url}/api/agent/v1/agents/${id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ hostName: 'h', pid: 1, version: '1', ...registration }),
  });
  const body = (await response.json()) as { credential?: string };
  if (response.status !== 200 || !body.credential) throw new Error(`registering agent ${id} answered ${response.status}: ${JSON.stringify(body)}`);
  return { authorization: `Bearer ${body.credential}` };
}
