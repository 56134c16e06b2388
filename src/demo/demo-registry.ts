import type { DemoClient } from './demo-client.ts';
import { DEMO } from './demo-names.ts';

/** How the registered commands run `quarry`: this Node.js, this checkout's bin/quarry.js. */
export interface QuarryInvocation {
  node: string;
  bin: string;
  /** The configuration file snapshot jobs read (database, warehouse and the demo's source catalog). */
  snapshotConfig: string;
  serverUrl: string;
}

const COMMON = { user: DEMO.user, version: '1', configs: [], dependencies: [] };

/**
 * Registers the demo's clusters and commands through Genie's v3 API (created, or replaced when a
 * previous run made them). Two clusters stand for the same local machine: `local` carries
 * sched:adhoc, `local-next` does not yet, so moving that tag in the UI (/tag-move) sends new jobs to
 * the other one. Every command is tagged quarry:demo and the job's commandCriteria names it, so the
 * demo's jobs never pick a user's own command with the same type tag.
 */
export async function registerDemoResources(client: DemoClient, quarry: QuarryInvocation): Promise<void> {
  await put(client, 'clusters', { ...COMMON, id: DEMO.clusters.current, name: 'local', status: 'UP', tags: ['type:local', 'sched:adhoc', DEMO.tag] });
  await put(client, 'clusters', { ...COMMON, id: DEMO.clusters.next, name: 'local-next', status: 'UP', tags: ['type:local', DEMO.tag] });
  const criteria = [{ tags: ['type:local'] }];
  const q = [quarry.node, quarry.bin];
  await put(client, 'commands', {
    ...COMMON,
    id: DEMO.commands.snapshot,
    name: 'snapshot',
    status: 'ACTIVE',
    tags: ['type:snapshot', DEMO.tag],
    executableAndArguments: ['/usr/bin/env', `QUARRY_CONFIG=${quarry.snapshotConfig}`, ...q, 'snapshot'],
    clusterCriteria: criteria,
  });
  await put(client, 'commands', {
    ...COMMON,
    id: DEMO.commands.abReport,
    name: 'ab-report',
    status: 'ACTIVE',
    tags: ['type:ab-report', DEMO.tag],
    executableAndArguments: [...q, 'ab-report', '--server', quarry.serverUrl, '--output', 'report.json', '--html', 'report.html'],
    clusterCriteria: criteria,
  });
  await put(client, 'commands', {
    ...COMMON,
    id: DEMO.commands.sql,
    name: 'sql',
    status: 'ACTIVE',
    tags: ['type:sql', DEMO.tag],
    executableAndArguments: [...q, 'query', '--server', quarry.serverUrl, '--format', 'csv', '--output', 'result.csv'],
    clusterCriteria: criteria,
  });
}

/** Creates the resource, or replaces it when its id exists (409). */
async function put(client: DemoClient, kind: 'clusters' | 'commands', body: { id: string } & Record<string, unknown>): Promise<void> {
  const created = await client.request('POST', `/api/v3/${kind}`, body, [409]);
  if (created.status === 409) await client.request('PUT', `/api/v3/${kind}/${body.id}`, body);
}

/** Removes the demo's commands and clusters; absent ones are fine. */
export async function removeDemoResources(client: DemoClient): Promise<void> {
  for (const id of Object.values(DEMO.commands)) await client.request('DELETE', `/api/v3/commands/${id}`, undefined, [404]);
  for (const id of Object.values(DEMO.clusters)) await client.request('DELETE', `/api/v3/clusters/${id}`, undefined, [404]);
}
