import type { DemoClient } from './demo-client.ts';
import { DEMO } from './demo-names.ts';

/** How the registered commands run `quarry`: this Node.js, this checkout's bin/quarry.js. */
export interface QuarryInvocation {
  node: string;
  bin: string;
  /** The configuration file snapshot jobs read (database, warehouse and the demo's source catalog). */
  snapshotConfig: string;
  serverUrl: string;
  /** The file holding the token the ab-report and sql jobs send to the server, when it checks credentials. */
  tokenFile?: string;
}

const COMMON = { user: DEMO.user, version: '1', configs: [], dependencies: [] };

/** One of the demo's commands: its id, name (= its type tag) and how it runs quarry. */
interface DemoCommand {
  id: string;
  name: 'snapshot' | 'ab-report' | 'sql';
  /** Environment the job's process needs (QUARRY_* is cleared from a job's environment). */
  env: Record<string, string>;
  /** The quarry subcommand and its fixed arguments; the job's commandArgs follow. */
  quarry: string[];
}

/** The demo's three commands: snapshot works on the database and warehouse itself; the others ask the server. */
function demoCommands(quarry: QuarryInvocation): DemoCommand[] {
  const server: Record<string, string> = quarry.tokenFile ? { QUARRY_SERVER_TOKEN_FILE: quarry.tokenFile } : {};
  return [
    { id: DEMO.commands.snapshot, name: 'snapshot', env: { QUARRY_CONFIG: quarry.snapshotConfig }, quarry: ['snapshot'] },
    { id: DEMO.commands.abReport, name: 'ab-report', env: server, quarry: ['ab-report', '--server', quarry.serverUrl, '--output', 'report.json', '--html', 'report.html'] },
    { id: DEMO.commands.sql, name: 'sql', env: server, quarry: ['query', '--server', quarry.serverUrl, '--format', 'csv', '--output', 'result.csv'] },
  ];
}

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
  for (const command of demoCommands(quarry)) {
    const env = Object.entries(command.env).map(([name, value]) => `${name}=${value}`);
    await put(client, 'commands', {
      ...COMMON,
      id: command.id,
      name: command.name,
      status: 'ACTIVE',
      tags: [`type:${command.name}`, DEMO.tag],
      executableAndArguments: [...(env.length > 0 ? ['/usr/bin/env', ...env] : []), quarry.node, quarry.bin, ...command.quarry],
      clusterCriteria: [{ tags: ['type:local'] }],
    });
  }
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
