import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StatusChange } from '../jobs/agent-protocol.ts';

/** A status change not yet acknowledged by any server node. */
export interface PendingStatusChange {
  jobId: string;
  /** The agent that made the change (a successor must adopt the job before delivering it). */
  agentId: string;
  agentPid: number;
  change: Omit<StatusChange, 'agentId'>;
}

/** The folder under the agent's jobs root holding the outbox (not a job directory: job ids cannot start with a dot). */
export const OUTBOX_FOLDER = '.status-outbox';

/**
 * The agent's durable outbox of job status changes, one file per job in `<jobsRoot>/.status-outbox`.
 * A change is written (atomically: temp file, rename) before it is sent and removed once a node has
 * answered it — applied, already done, or refused — so a change made while every node or the
 * database is away survives until some node takes it, even across an agent restart. A job has at
 * most one change in flight: the agent waits for each answer before the next change.
 */
export class StatusOutbox {
  private readonly folder: string;

  constructor(jobsRoot: string) {
    this.folder = path.join(jobsRoot, OUTBOX_FOLDER);
  }

  async put(entry: PendingStatusChange): Promise<void> {
    await mkdir(this.folder, { recursive: true });
    const file = this.file(entry.jobId);
    await writeFile(`${file}.tmp`, JSON.stringify(entry));
    await rename(`${file}.tmp`, file);
  }

  async acknowledge(jobId: string): Promise<void> {
    await rm(this.file(jobId), { force: true });
  }

  /** Every change still waiting for a node, e.g. left by an agent that died. */
  async pending(): Promise<PendingStatusChange[]> {
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch {
      return [];
    }
    const entries: PendingStatusChange[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        entries.push(JSON.parse(await readFile(path.join(this.folder, name), 'utf8')) as PendingStatusChange);
      } catch {
        // A torn write cannot happen (rename), but a foreign file is skipped rather than fatal.
      }
    }
    return entries;
  }

  private file(jobId: string): string {
    return path.join(this.folder, `${encodeURIComponent(jobId)}.json`);
  }
}
