import type { FastifyInstance } from 'fastify';
import type { Application, Cluster, Command } from '../../src/jobs/resources.ts';

/** The registry a jobs test runs against: clusters, commands and applications. */
export interface RegistryFixture {
  clusters: Cluster[];
  commands: Command[];
  applications: Application[];
}

/** Sends one JSON request to a server; answers the status and body text. */
export type Send = (method: string, path: string, body?: unknown) => Promise<{ status: number; text: string }>;

export function fetchSender(url: string, headers: Record<string, string> = {}): Send {
  return async (method, path, body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
}

export function injectSender(app: FastifyInstance, headers: Record<string, string> = {}): Send {
  return async (method, path, body) => {
    const response = await app.inject({ method: method as 'GET', url: path, headers, payload: body as object | undefined });
    return { status: response.statusCode, text: response.body };
  };
}

/**
 * Replaces the whole registry through Genie's v3 API, as an admin would: deletes every command,
 * cluster and application, then creates the fixture's and links commands to their applications.
 */
export async function putRegistry(send: Send, fixture: Partial<RegistryFixture>): Promise<void> {
  const ok = async (method: string, path: string, body?: unknown) => {
    const { status, text } = await send(method, path, body);
    if (status >= 300) throw new Error(`${method} ${path} answered ${status}: ${text}`);
  };
  await ok('DELETE', '/api/v3/commands');
  await ok('DELETE', '/api/v3/clusters');
  await ok('DELETE', '/api/v3/applications');
  const common = (r: Application | Cluster | Command) => ({
    id: r.id,
    name: r.name,
    user: r.user,
    version: r.version,
    status: r.status,
    tags: r.tags,
    setupFile: r.setupFile,
    configs: r.configs,
    dependencies: r.dependencies,
  });
  for (const app of fixture.applications ?? []) await ok('POST', '/api/v3/applications', { ...common(app), type: app.type });
  for (const cluster of fixture.clusters ?? []) await ok('POST', '/api/v3/clusters', common(cluster));
  for (const command of fixture.commands ?? []) {
    await ok('POST', '/api/v3/commands', {
      ...common(command),
      executableAndArguments: command.executable,
      clusterCriteria: command.clusterCriteria,
      runtime: command.runtime,
    });
    if (command.applicationIds.length > 0) await ok('POST', `/api/v3/commands/${command.id}/applications`, command.applicationIds);
  }
}
