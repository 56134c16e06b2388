import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobSpecification } from '../protocol/agent/agent-protocol.ts';

/** Who this agent is to the server: its id and the credential the server bound to it. */
export interface AgentIdentity {
  agentId: string;
  credential: string;
}

/** What a restarted agent needs to adopt a job it launched before it stopped. */
export interface AgentState {
  spec: JobSpecification;
  /** The job's process group (the run script's pid); trusted only once verified (job-leader.ts). */
  pgid: number;
  /** The leader's start time (field 22 of /proc/<pid>/stat), so a reused pid is not taken for it. */
  leaderStart?: string;
  agentId: string;
  agentPid: number;
  /** When the process was launched (epoch ms): the timeout counts from here. */
  launched: number;
  /** The job's cgroup folder, when it has one (job-cgroup.ts). */
  cgroup?: string;
}

/** The state folder's default place: beside the job directories, under a name no job id can take. */
export const DEFAULT_STATE_FOLDER = '.agent-state';

/**
 * The agent's own folder (mode 0700; files 0600), outside every job directory: its identity and the
 * record of each job it launched. A job's directory is the job's to write, so nothing the agent
 * acts on after a restart — which process group to watch and signal, which id to be — is read from
 * there. Jobs run as the agent's user and could still reach this folder by its path; what is read
 * back is therefore verified before it is acted on (job-leader.ts, job-cgroup.ts) and a job can at
 * worst lose track of its own processes, never point the agent at another's.
 */
export class AgentStateFolder {
  constructor(readonly root: string) {}

  private get identityFile() {
    return path.join(this.root, 'identity.json');
  }

  private get jobsFolder() {
    return path.join(this.root, 'jobs');
  }

  private jobFile(jobId: string) {
    return path.join(this.jobsFolder, `${encodeURIComponent(jobId)}.json`);
  }

  /** The identity saved by an earlier run, read at construction (the agent's id is fixed from then on). */
  loadIdentity(): AgentIdentity | undefined {
    let text: string;
    try {
      text = readFileSync(this.identityFile, 'utf8');
    } catch {
      return undefined;
    }
    const value = JSON.parse(text) as Partial<AgentIdentity>;
    if (typeof value.agentId !== 'string' || typeof value.credential !== 'string') {
      throw new Error(`${this.identityFile} is not an agent identity ({"agentId": "…", "credential": "…"}); remove it to register as a new agent`);
    }
    return { agentId: value.agentId, credential: value.credential };
  }

  /** Creates the folder (0700) synchronously: called once when the agent is built. */
  prepare(): void {
    mkdirSync(this.root, { recursive: true, mode: 0o700 });
    chmodSync(this.root, 0o700);
  }

  /** Saves the identity (0600, atomically: a crash leaves the old one or the new one). */
  async saveIdentity(identity: AgentIdentity): Promise<void> {
    await writeAtomically(this.identityFile, JSON.stringify(identity));
  }

  async saveJob(state: AgentState): Promise<void> {
    await mkdir(this.jobsFolder, { recursive: true, mode: 0o700 });
    await writeAtomically(this.jobFile(state.spec.jobId), JSON.stringify(state));
  }

  async removeJob(jobId: string): Promise<void> {
    await rm(this.jobFile(jobId), { force: true });
  }

  async hasJob(jobId: string): Promise<boolean> {
    return readFile(this.jobFile(jobId)).then(
      () => true,
      () => false,
    );
  }

  /** Every saved job record that parses; a damaged one is skipped (and left for a person to look at). */
  async jobs(): Promise<AgentState[]> {
    let names: string[];
    try {
      names = await readdir(this.jobsFolder);
    } catch {
      return [];
    }
    const states: AgentState[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        const state = JSON.parse(await readFile(path.join(this.jobsFolder, name), 'utf8')) as AgentState;
        if (typeof state.spec?.jobId === 'string' && Number.isInteger(state.pgid)) states.push(state);
      } catch {
        // Half-written or damaged: not a record to act on.
      }
    }
    return states;
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}
