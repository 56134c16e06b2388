import type { DemoClient } from './demo-client.ts';
import { DEMO } from './demo-names.ts';

/** A job the demo submits: which of its commands (by type tag), a name, and the command's arguments. */
export interface DemoJob {
  type: 'snapshot' | 'ab-report' | 'sql';
  name: string;
  commandArgs: string;
}

const FINAL = new Set(['SUCCEEDED', 'FAILED', 'KILLED', 'INVALID']);

/**
 * Submits a job through the jobs API, as any user would: on a cluster tagged sched:adhoc, the demo's
 * command of that type. Answers the job's id.
 */
export async function submitDemoJob(client: DemoClient, job: DemoJob): Promise<string> {
  const { headers } = await client.request('POST', '/api/v3/jobs', {
    name: job.name,
    user: DEMO.user,
    version: '1',
    commandArgs: job.commandArgs,
    clusterCriterias: [{ tags: ['sched:adhoc'] }],
    commandCriteria: [`type:${job.type}`, DEMO.tag],
    tags: [DEMO.tag],
  });
  const location = headers.get('location');
  if (!location) throw new Error(`POST /api/v3/jobs for ${job.name} answered without a Location header`);
  return location.split('/').pop()!;
}

/** Polls a job until it ends; answers its final status (a slow machine gets `timeoutMs`, default 5 minutes). */
export async function waitForJob(client: DemoClient, id: string, timeoutMs = 300_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let status = 'unknown';
  while (Date.now() < deadline) {
    status = (await client.get<{ status: string }>(`/api/v3/jobs/${id}/status`)).status;
    if (FINAL.has(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`job ${id} was still ${status} after ${timeoutMs / 1000} s`);
}
