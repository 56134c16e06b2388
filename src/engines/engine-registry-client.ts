/**
 * The registry calls registration makes, over Genie's v3 API of a running server (so registering
 * works from any host, with the same checks and events as an admin's own calls).
 */
export interface RegistryClient {
  /** Creates the resource, or replaces it when one with this id exists. */
  upsert(kind: 'applications' | 'clusters' | 'commands', resource: Record<string, unknown> & { id: string }): Promise<void>;
  /** Replaces a command's applications. */
  setCommandApplications(commandId: string, applicationIds: readonly string[]): Promise<void>;
}

export function httpRegistryClient(serverUrl: string, token?: string): RegistryClient {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const response = await fetch(new URL(`/api/v3${path}`, serverUrl), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return response;
  };
  const ensure = async (response: Response, what: string) => {
    if (response.status >= 300) throw new Error(`${what} answered ${response.status}: ${await response.text()}`);
  };
  return {
    async upsert(kind, resource) {
      const existing = await call('GET', `/${kind}/${encodeURIComponent(resource.id)}`);
      await existing.arrayBuffer();
      if (existing.status === 200) await ensure(await call('PUT', `/${kind}/${encodeURIComponent(resource.id)}`, resource), `PUT /api/v3/${kind}/${resource.id}`);
      else await ensure(await call('POST', `/${kind}`, resource), `POST /api/v3/${kind}`);
    },
    async setCommandApplications(commandId, applicationIds) {
      await ensure(await call('PUT', `/commands/${encodeURIComponent(commandId)}/applications`, applicationIds), `PUT /api/v3/commands/${commandId}/applications`);
    },
  };
}
