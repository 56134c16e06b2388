import { readFile } from 'node:fs/promises';
import { Agent, type AgentOptions } from '../../src/agent/agent.ts';
import { JobDirectory } from '../../src/agent/job-directory.ts';
import { QUARRY_VERSION } from '../../src/http/app.ts';
import type { Application, Cluster, Command, Criterion } from '../../src/jobs/resources.ts';
import { openTestPlatform, type ConfigOverrides, type TestPlatform } from './platform.ts';
import { fetchSender, putRegistry, type RegistryFixture } from './registry-fixture.ts';
import type { StoreKind } from './stores.ts';

/** A server node listening on a loopback port with an in-process agent: jobs run as real processes. */
export interface JobsHarness {
  t: TestPlatform;
  url: string;
  agent: Agent;
  /** Replaces the registry's clusters, commands and applications (through the v3 API). */
  setRegistry(registry: Partial<RegistryFixture>): Promise<void>;
  /** Submits a JSON job request; answers the job id (throws with the body on a non-202). */
  submit(request: Record<string, unknown>): Promise<string>;
  /** Polls the job until its status satisfies `done` (default: a final status). */
  waitFor(id: string, done?: (status: string) => boolean, limitMs?: number): Promise<string>;
  /** The job's status message and its agent's log, for an assertion's message when a job ended unexpectedly. */
  explain(id: string): Promise<string>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

const FINAL = ['SUCCEEDED', 'FAILED', 'KILLED', 'INVALID'];

export async function openJobsHarness(store: StoreKind, overrides: ConfigOverrides = {}, agentOptions: Partial<AgentOptions> = {}): Promise<JobsHarness> {
  const t = await openTestPlatform(store, { ...overrides, jobs: { killGraceMs: 2000, heartbeatIntervalMs: 500, ...overrides.jobs } });
  let agent: Agent | undefined;
  try {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    agent = new Agent({
      serverUrl: url,
      jobsRoot: t.config.jobs.directoryRoot,
      cacheDirectory: t.config.jobs.cacheDirectory,
      s3: t.config.s3,
      version: QUARRY_VERSION,
      // The node's installation agent secret (configured, or generated in its home), as `quarry server` hands it to its local agent.
      token: t.platform.config.agentToken,
      ...agentOptions,
    });
    await agent.start();
    const running = agent;
    const harness: JobsHarness = {
      t,
      url,
      agent: running,
      setRegistry: (registry) => putRegistry(fetchSender(url), registry),
      async submit(request) {
        const response = await fetch(`${url}/api/v3/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
        if (response.status !== 202) throw new Error(`submit answered ${response.status}: ${await response.text()}`);
        return response.headers.get('location')!.split('/').pop()!;
      },
      async waitFor(id, done = (s) => FINAL.includes(s), limitMs = 60_000) {
        const deadline = Date.now() + limitMs;
        for (;;) {
          const response = await fetch(`${url}/api/v3/jobs/${id}/status`);
          const { status } = (await response.json()) as { status: string };
          if (done(status)) return status;
          if (Date.now() > deadline) throw new Error(`job ${id} still ${status} after ${limitMs} ms`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      async explain(id) {
        const job = (await (await fetch(`${url}/api/v3/jobs/${id}`)).json()) as { status?: string; statusMsg?: string };
        const log = await readFile(new JobDirectory(t.config.jobs.directoryRoot, id).agentLog, 'utf8').catch((error: Error) => `(no agent log: ${error.message})`);
        return `job ${id} is ${job.status} (${job.statusMsg}); its agent log:\n${log}`;
      },
      get: (path, headers = {}) => fetch(`${url}${path}`, { headers }),
      async close() {
        await running.stop({ killJobs: true });
        // Long polls the agent abandoned may still hold keep-alive sockets; do not wait them out.
        t.app.server.closeAllConnections();
        await t.close();
      },
    };
    return harness;
  } catch (error) {
    await agent?.stop({ killJobs: true }).catch(() => undefined);
    await t.close();
    throw error;
  }
}

const now = Date.now();
const base = { created: now, updated: now, user: 'admin', version: '1', configs: [] as string[], dependencies: [] as string[] };

export function cluster(id: string, tags: string[], extra: Partial<Cluster> = {}): Cluster {
  return { ...base, id, name: id, status: 'UP', tags, ...extra };
}

export function command(id: string, tags: string[], executable: string[], clusterCriteria: Criterion[], extra: Partial<Command> = {}): Command {
  return {
    ...base,
    id,
    name: id,
    status: 'ACTIVE',
    tags,
    executable,
    runtime: { resources: {}, images: {} },
    clusterCriteria,
    applicationIds: [],
    ...extra,
  };
}

export function application(id: string, extra: Partial<Application> = {}): Application {
  return { ...base, id, name: id, status: 'ACTIVE', tags: [], ...extra };
}

/** The fixture of Genie's job integration tests: a bash command tagged `bash`, a cluster tagged `localhost`. */
export function bashFixture(extra: { cluster?: Partial<Cluster>; command?: Partial<Command>; applications?: Application[] } = {}): Partial<RegistryFixture> {
  return {
    clusters: [cluster('cluster1', ['localhost'], extra.cluster)],
    commands: [command('bash', ['bash'], ['/bin/bash'], [{ tags: ['localhost'] }], extra.command)],
    applications: extra.applications ?? [],
  };
}

export function bashJob(args: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'test-job', user: 'genie', version: '1.0', commandArgs: args, clusterCriterias: [{ tags: ['localhost'] }], commandCriteria: ['bash'], ...extra };
}
