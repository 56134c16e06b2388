import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { S3Config } from '../../config/config.ts';
import { InvalidInputError } from '../../errors/invalid-input-error.ts';
import { NotFoundError } from '../../errors/not-found-error.ts';
import { UnavailableError } from '../../errors/unavailable-error.ts';
import { openObjectStore } from '../../storage/open-object-store.ts';
import type { PathInfo } from '../../protocol/agent/agent-protocol.ts';
import { agentAuthorization } from '../../protocol/agent/agent-token.ts';
import type { JobRecord } from '../job-record.ts';
import type { AgentStore } from '../agent-store.ts';
import { describeFromManifest, MANIFEST_PATH, type JobManifest } from '../../protocol/agent/job-manifest.ts';

/** Where a job's files are read from: its agent while the job is live, the archive afterwards. */
export interface OutputSource {
  /** Describes a path ('' = the job directory), or undefined when nothing is there. */
  describe(path: string): Promise<PathInfo | undefined>;
  /** Reads a file, or an inclusive byte range of it. */
  read(path: string, range?: { start: number; end: number }): Promise<Readable>;
}

const AGENT_TIMEOUT_MS = 10_000;

/**
 * Picks the source of a job's output by its archive status (reference/genie.md 2.2): PENDING →
 * the agent that runs it, over HTTP (the server proxies, as Genie forwards to the agent's node);
 * ARCHIVED/UNKNOWN → the archive through its manifest; NO_FILES/FAILED → nothing; DISABLED → 412.
 * A PENDING job whose agent cannot be reached falls back to the archive when one exists.
 */
export class JobOutput {
  constructor(
    private readonly agentStore: AgentStore,
    private readonly s3: S3Config,
    /** Shown to agents' file endpoints, which require it when one is configured. */
    private readonly agentToken?: string,
  ) {}

  async sourceFor(job: JobRecord): Promise<OutputSource> {
    switch (job.archiveStatus) {
      case 'DISABLED':
        throw new InvalidInputError(`Archiving was disabled for job ${job.id}, and its files are no longer on its agent`, 'id');
      case 'NO_FILES':
      case 'FAILED':
        throw new NotFoundError(`Job ${job.id} has no output files (archive status ${job.archiveStatus})`, { id: job.id });
      case 'ARCHIVED':
      case 'UNKNOWN':
        return this.archiveSource(job);
      case 'PENDING':
        break;
    }
    const agent = job.agentId ? await this.agentStore.getAgent(job.agentId) : undefined;
    if (!agent?.address) throw new NotFoundError(`Job ${job.id} has no output yet: no agent has started it (status ${job.status})`, { id: job.id });
    const live = agentSource(agent.address, job.id, this.agentToken);
    try {
      await live.describe('');
      return live;
    } catch (error) {
      const archived = await this.archiveSource(job).catch(() => undefined);
      if (archived) return archived;
      throw new UnavailableError(`The agent running job ${job.id} at ${agent.address} cannot be reached: ${(error as Error).message}`, { id: job.id });
    }
  }

  private async archiveSource(job: JobRecord): Promise<OutputSource> {
    if (!job.archiveLocation) throw new NotFoundError(`Job ${job.id} has no archive location`, { id: job.id });
    const store = openObjectStore(job.archiveLocation, this.s3);
    let manifest: JobManifest;
    try {
      manifest = JSON.parse(Buffer.from(await store.getBytes(MANIFEST_PATH)).toString('utf8')) as JobManifest;
    } catch {
      throw new NotFoundError(`The archive of job ${job.id} at ${job.archiveLocation} has no manifest`, { id: job.id });
    }
    return {
      describe: async (path) => describeFromManifest(manifest, path),
      read: async (path, range) => (await store.get(path, range)).body,
    };
  }
}

/**
 * The agent's job-directory endpoint (src/agent/file-server.ts), at the address the agent holding
 * the job registered with its own credential. Redirects are never followed: an agent's file server
 * never sends one, so a redirect is someone steering the server elsewhere (it answers as an error).
 */
function agentSource(address: string, jobId: string, token: string | undefined): OutputSource {
  const base = `${address.replace(/\/+$/, '')}/jobs/${encodeURIComponent(jobId)}`;
  const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');
  return {
    async describe(path) {
      const response = await fetch(`${base}/info/${encodePath(path)}`, { headers: agentAuthorization(token), redirect: 'manual', signal: AbortSignal.timeout(AGENT_TIMEOUT_MS) });
      if (response.status === 404) return undefined;
      if (!response.ok) throw new Error(`agent answered ${response.status}`);
      return (await response.json()) as PathInfo;
    },
    async read(path, range) {
      const headers: Record<string, string> = { ...agentAuthorization(token), ...(range ? { range: `bytes=${range.start}-${range.end}` } : {}) };
      const response = await fetch(`${base}/files/${encodePath(path)}`, { headers, redirect: 'manual' });
      if (!response.ok || !response.body) throw new UnavailableError(`The agent could not send ${path} of job ${jobId} (${response.status})`);
      return Readable.fromWeb(response.body as WebReadableStream);
    },
  };
}
