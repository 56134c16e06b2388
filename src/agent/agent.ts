import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { AgentStateFolder, DEFAULT_STATE_FOLDER, type AgentState } from './agent-state-folder.ts';
import type { S3Config } from '../config/config.ts';
import { DependencyCache } from './dependency-cache.ts';
import { startFileServer } from './file-server.ts';
import type { AgentSettings } from '../protocol/agent/agent-protocol.ts';
import { DEFAULT_DIRECTORY_CLEANUP, deleteArchivedJobDirectories } from './directory-cleanup.ts';
import { DEFAULT_FILES_LIMIT } from './job-files-limit.ts';
import { JobExecution } from './job-execution.ts';
import { resolveJobUser, type JobUser } from './job-user.ts';
import { isJobLeader } from './job-leader.ts';
import { endJobProcesses } from './job-process-reaper.ts';
import { trustedJobCgroup } from './job-cgroup.ts';
import { ResourceFetcher } from './resource-fetcher.ts';
import { fenceTime, LeaseFence } from './lease-fence.ts';
import { ServerClient, ServerRejectedError } from './server-client.ts';
import { StatusOutbox } from './status-outbox.ts';

export interface AgentOptions {
  /** One server node's base URL, or several (any will do; the agent fails over between them). */
  serverUrl: string | readonly string[];
  jobsRoot: string;
  cacheDirectory: string;
  /**
   * The agent's own folder (0700), outside every job directory: its identity and its records of
   * launched jobs. Default `<jobsRoot>/.agent-state`.
   */
  stateDirectory?: string;
  /**
   * Keep this agent's id and credential in the state folder (0600) and take them up again on the
   * next start, so a restarted agent is the same agent and re-adopts its jobs by proof of that
   * credential (default). Off for an agent started for one job (`quarry agent --job-id`): several
   * of those run at once on one folder, each its own agent.
   */
  persistIdentity?: boolean;
  s3: S3Config;
  /** Address the job-file endpoint binds (default 127.0.0.1) and port (default 0 = any free one). */
  bindHost?: string;
  bindPort?: number;
  /** The URL the server uses to reach the file endpoint, when it differs from the bound address. */
  advertisedAddress?: string;
  /** Most jobs this agent runs at once. */
  maxJobs?: number;
  /**
   * The account jobs run as (jobs.runAsUser: a user name or uid), for an agent running as root.
   * Without it jobs run as the agent's own user, and can read what the agent can: its credential too.
   */
  runAsUser?: string;
  /**
   * The installation's agent secret (QUARRY_AGENT_TOKEN, or the server home's agent-secret): it
   * registers this agent's id, and the file endpoint (job files and /stats) requires it of the server.
   * Required: an agent without it would serve job output to anyone.
   */
  token: string;
  hostName?: string;
  version: string;
  log?: (line: string) => void;
}

const CLAIM_WAIT_MS = 20_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A Quarry agent: a process, separate from every server, that claims jobs over the agent API and
 * runs each in its own process group (src/agent/job-execution.ts). It talks to the server only over
 * HTTP, so the server can restart, or run on another host, while jobs continue.
 *
 * Two modes: `start()` keeps running and claims job after job, supervising many at once (the
 * default, one agent per host); `runJob(id)` claims one named job, runs it and returns (Genie's
 * one-agent-per-job model; see bench/RESULTS.md for why it is not the default). Jobs outlive their
 * agent; a long-lived agent started on the same job folder adopts those whose agent died.
 */
export class Agent {
  readonly id: string;
  private readonly stateFolder: AgentStateFolder;
  private readonly jobUser: JobUser | undefined;
  private readonly client: ServerClient;
  private readonly cache: DependencyCache;
  private readonly running = new Map<string, JobExecution>();
  private readonly finished = new Set<Promise<void>>();
  private readonly acknowledgedKills = new Set<string>();
  private readonly abort = new AbortController();
  private settings: Required<Omit<AgentSettings, 'credential'>> = {
    heartbeatIntervalMs: 2000,
    leaseTimeoutMs: 30_000,
    killGraceMs: 10_000,
    filesLimit: DEFAULT_FILES_LIMIT,
    directoryCleanup: DEFAULT_DIRECTORY_CLEANUP,
  };
  private cleanupTimer?: NodeJS.Timeout;
  private cleanup?: Promise<unknown>;
  private server?: Server;
  private address?: string;
  private heartbeat?: NodeJS.Timeout;
  private loops: Promise<void>[] = [];
  private slotFreed?: () => void;
  private jobsStarted = 0;
  private learnedAt = 0;
  private learning = false;
  private readonly outbox: StatusOutbox;
  private readonly fence: LeaseFence;
  private identitySaved?: Promise<void>;

  constructor(private readonly options: AgentOptions) {
    this.outbox = new StatusOutbox(options.jobsRoot);
    this.fence = new LeaseFence(() => this.fenceJobs());
    this.stateFolder = new AgentStateFolder(options.stateDirectory ?? path.join(options.jobsRoot, DEFAULT_STATE_FOLDER));
    // The job user passes through the jobs folder to its own directory, and lists nothing there.
    if (options.runAsUser) mkdirSync(options.jobsRoot, { recursive: true, mode: 0o711 });
    this.stateFolder.prepare();
    this.jobUser = options.runAsUser ? resolveJobUser(options.runAsUser, options.jobsRoot) : undefined;
    const persist = options.persistIdentity ?? true;
    const identity = persist ? this.stateFolder.loadIdentity() : undefined;
    this.id = identity?.agentId ?? randomUUID();
    this.client = new ServerClient(options.serverUrl, this.id, () => this.abort.signal.aborted, options.token, {
      log: (line) => this.log(line),
      reached: () => this.fence.renewed(),
      outbox: this.outbox,
      credential: identity?.credential,
      issued: (credential) => {
        if (!persist) return;
        this.identitySaved = this.stateFolder.saveIdentity({ agentId: this.id, credential }).catch((error: unknown) => {
          this.log(`could not keep this agent's identity in ${this.stateFolder.root}: ${(error as Error).message}; a restart will register a new agent that cannot adopt this one's jobs`);
        });
      },
    });
    this.cache = new DependencyCache(options.cacheDirectory, new ResourceFetcher(options.s3));
  }

  /** The agent's counters, also served at `GET <address>/stats`. */
  stats() {
    return { agentId: this.id, runningJobs: [...this.running.keys()], jobsStarted: this.jobsStarted, cache: { ...this.cache.stats } };
  }

  get fileAddress(): string | undefined {
    return this.address;
  }

  /** Registers, serves job files, and keeps claiming and running jobs until stop(). */
  async start(): Promise<void> {
    await this.connect();
    await this.adoptOrphans();
    await this.deliverLeftovers();
    this.loops = [this.claimLoop(), this.killLoop()];
    if (this.settings.directoryCleanup.enabled) this.scheduleCleanup(0);
  }

  /**
   * Deletes the directories of jobs archived and finished longer ago than the configured retention
   * (see deleteArchivedJobDirectories); answers their ids. Runs on its own every
   * jobs.directoryCleanup interval in a long-lived agent; `now` lets tests choose the clock.
   */
  async cleanJobDirectories(now = Date.now()): Promise<string[]> {
    const deleted = await deleteArchivedJobDirectories(
      {
        jobsRoot: this.options.jobsRoot,
        states: (ids) => this.client.jobStates(ids),
        busy: (id) => this.running.has(id),
        adoptable: (id) => this.stateFolder.hasJob(id),
      },
      this.settings.directoryCleanup.retentionMs,
      now,
    );
    if (deleted.length > 0) this.log(`deleted ${deleted.length} archived job directories older than the retention`);
    return deleted;
  }

  private scheduleCleanup(delayMs: number): void {
    this.cleanupTimer = setTimeout(() => {
      this.cleanup = this.cleanJobDirectories()
        .catch((error: unknown) => this.log(`job directory cleanup failed: ${(error as Error).message}`))
        .finally(() => {
          if (!this.abort.signal.aborted) this.scheduleCleanup(this.settings.directoryCleanup.intervalMs);
        });
    }, delayMs);
    this.cleanupTimer.unref();
  }

  /** Claims and runs one named job, then returns (after its archive is written). */
  async runJob(jobId: string): Promise<void> {
    await this.connect();
    try {
      const claim = await this.client.claim(jobId);
      this.loops = [this.killLoop()];
      await this.execute(claim.job, claim.killRequested);
    } finally {
      await this.stop();
    }
  }

  /**
   * Stops claiming. With `killJobs`, running jobs are stopped (reported FAILED "Job was killed by
   * system.") and archived before this returns; without, they keep running unsupervised.
   */
  async stop(options: { killJobs?: boolean } = {}): Promise<void> {
    if (options.killJobs) {
      for (const execution of this.running.values()) execution.kill('system');
      // Reporting the outcome needs the server; if it is away, give up after the grace period. The
      // timer is cleared so that, once the jobs are done, it does not keep the process alive.
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise((resolve) => (timer = setTimeout(resolve, this.settings.killGraceMs + 5000)));
      await Promise.race([Promise.all(this.finished), giveUp]);
      clearTimeout(timer);
    }
    this.abort.abort();
    this.fence.stop();
    clearInterval(this.heartbeat);
    clearTimeout(this.cleanupTimer);
    await this.cleanup;
    this.slotFreed?.();
    await Promise.allSettled(this.loops);
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
  }

  private async connect(): Promise<void> {
    await mkdir(this.options.jobsRoot, { recursive: true });
    await mkdir(this.options.cacheDirectory, { recursive: true });
    const files = await startFileServer(this.options.jobsRoot, this.options.bindHost ?? '127.0.0.1', this.options.bindPort ?? 0, () => this.stats(), this.options.token);
    this.server = files.server;
    this.address = this.options.advertisedAddress ?? files.address;
    await this.register();
    this.heartbeat = setInterval(() => void this.beat(), this.settings.heartbeatIntervalMs);
    this.fence.start(this.settings);
  }

  private async register(): Promise<void> {
    const settings = await this.client.register({
      hostName: this.options.hostName ?? os.hostname(),
      pid: process.pid,
      version: this.options.version,
      address: this.address,
    });
    await this.identitySaved;
    this.settings = {
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
      killGraceMs: settings.killGraceMs,
      leaseTimeoutMs: settings.leaseTimeoutMs ?? 30_000,
      filesLimit: settings.filesLimit ?? DEFAULT_FILES_LIMIT,
      directoryCleanup: settings.directoryCleanup ?? DEFAULT_DIRECTORY_CLEANUP,
    };
    this.log(`registered as agent ${this.id} with ${this.client.endpoints.current}; serving job files at ${this.address}`);
  }

  private async beat(): Promise<void> {
    try {
      // A node silent for a quarter of the fence is not waited on alone (ServerClient.heartbeat).
      const kills = await this.client.heartbeat([...this.running.keys()], Math.max(250, Math.floor(fenceTime(this.settings) / 4)));
      for (const id of kills) this.running.get(id)?.kill('user');
    } catch (error) {
      // The server forgot this agent or its credential (a new database): register again. Otherwise wait for it to return.
      if (error instanceof ServerRejectedError && (error.status === 404 || error.status === 401)) await this.register().catch(() => undefined);
    }
    await this.learnNodes();
  }

  /**
   * Asks which server nodes are alive, every quarter lease, and adds them to the URLs this agent
   * fails over between: an agent given one URL survives that node's death. A failed ask waits for the
   * next round (the nodes it knows are still there to try).
   */
  private async learnNodes(now = Date.now()): Promise<void> {
    if (this.learning || now - this.learnedAt < this.settings.leaseTimeoutMs / 4) return;
    this.learning = true;
    try {
      const added = this.client.endpoints.learn(await this.client.liveNodes());
      this.learnedAt = now;
      if (added.length > 0) this.log(`learned server node(s) ${added.join(', ')}; failing over between ${this.client.endpoints.all.join(', ')}`);
    } catch {
      // No node answered: the heartbeat's fencing deals with that.
    } finally {
      this.learning = false;
    }
  }

  private async claimLoop(): Promise<void> {
    const max = this.options.maxJobs ?? 64;
    while (!this.abort.signal.aborted) {
      if (this.running.size >= max) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      try {
        const claim = await this.client.claimNext(CLAIM_WAIT_MS, this.abort.signal);
        // A job requeued while this agent's first claim of it was still reporting INIT (the answer
        // was lost) can come back to the same agent: the execution it has goes on; a second would
        // run the job twice.
        if (claim && !this.running.has(claim.job.jobId)) void this.execute(claim.job, claim.killRequested);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        if (error instanceof ServerRejectedError && (error.status === 404 || error.status === 401)) await this.register().catch(() => undefined);
        await sleep(1000);
      }
    }
  }

  private async killLoop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const ack = [...this.acknowledgedKills].filter((id) => this.running.has(id));
        const ids = await this.client.waitForKills(CLAIM_WAIT_MS, ack, this.abort.signal);
        for (const id of ids) {
          this.acknowledgedKills.add(id);
          this.running.get(id)?.kill('user');
        }
      } catch {
        if (this.abort.signal.aborted) return;
        await sleep(1000);
      }
    }
  }

  /**
   * Adopts the jobs this agent launched before it restarted, recorded in its state folder (never in
   * a job directory, which is the job's to write). The server hands a job back only to the id that
   * holds it, proven by that id's credential: the agent keeps both across restarts. A job the server
   * has ended or given to no one meanwhile is stopped — only processes proven to be the job's.
   */
  private async adoptOrphans(): Promise<void> {
    for (const state of await this.stateFolder.jobs()) {
      const jobId = state.spec.jobId;
      if (this.running.has(jobId)) continue;
      // Another live agent process on this same folder still supervises it.
      if (state.agentPid !== process.pid && processAlive(state.agentPid)) continue;
      try {
        if (state.agentId !== this.id) throw new ServerRejectedError(403, `it was launched by agent ${state.agentId}, not this one`);
        const adopted = await this.client.adopt(jobId, this.id);
        this.log(`re-adopting job ${jobId} launched before this agent restarted`);
        void this.execute(state.spec, adopted.killRequested, (execution) => execution.resume(state, adopted.status));
      } catch (error) {
        if (!(error instanceof ServerRejectedError)) throw error;
        this.log(`job ${jobId} is not ours to adopt (${error.message}); stopping what is left of it`);
        await this.stopUnadopted(state);
      }
    }
  }

  /** Ends the processes of a recorded job this agent may not adopt: its verified group, its cgroup, its GENIE_JOB_ID. */
  private async stopUnadopted(state: AgentState): Promise<void> {
    const jobId = state.spec.jobId;
    const leader = await isJobLeader(state.pgid, jobId, state.leaderStart);
    await endJobProcesses({ pgid: leader ? state.pgid : undefined, jobId, cgroup: await trustedJobCgroup(state.cgroup, jobId) }, Date.now()).catch(() => undefined);
    await this.stateFolder.removeJob(jobId);
  }

  /**
   * Lease expired (see LeaseFence): no node has answered for so long that a node may already have
   * declared this agent lost and failed its jobs, so none of them may go on running. Each is killed
   * through its normal kill path; its report waits in the outbox and is refused if the job ended.
   */
  private fenceJobs(): void {
    if (this.running.size === 0) return;
    this.log(`lease expired: no server answered within the lease; killing ${this.running.size} running job(s) (${[...this.running.keys()].join(', ')})`);
    for (const execution of this.running.values()) execution.kill('system');
  }

  /**
   * Delivers status changes left in the outbox by a previous agent on this folder that died before a
   * node answered them (jobs it had launched were adopted above and report afresh). The job is
   * adopted first, so the change is made by its owner; a job that ended or moved on meanwhile
   * refuses, and the change is dropped.
   */
  private async deliverLeftovers(): Promise<void> {
    for (const entry of await this.outbox.pending()) {
      if (this.running.has(entry.jobId)) continue;
      if (processAlive(entry.agentPid) && entry.agentPid !== process.pid) continue;
      try {
        // Only this agent's own changes can be delivered: the server takes a job back only from the id holding it.
        if (entry.agentId !== this.id) throw new ServerRejectedError(403, `it was made by agent ${entry.agentId}, not this one`);
        await this.client.adopt(entry.jobId, this.id);
        const result = await this.client.changeStatus(entry.jobId, entry.change);
        this.log(`delivered job ${entry.jobId}'s status ${entry.change.status} left by agent ${entry.agentId} (${result.changed ? 'applied' : `job is ${result.status}`})`);
      } catch (error) {
        if (!(error instanceof ServerRejectedError)) throw error;
        this.log(`dropped job ${entry.jobId}'s status ${entry.change.status} left by agent ${entry.agentId}: ${error.message}`);
      }
      await this.outbox.acknowledge(entry.jobId);
    }
  }

  private execute(
    spec: ConstructorParameters<typeof JobExecution>[0],
    killRequested: boolean,
    start: (execution: JobExecution) => Promise<void> = (execution) => execution.run(),
  ): Promise<void> {
    const execution = new JobExecution(
      spec,
      {
        client: this.client,
        cache: this.cache,
        jobsRoot: this.options.jobsRoot,
        s3: this.options.s3,
        killGraceMs: this.settings.killGraceMs,
        filesLimit: this.settings.filesLimit,
        stateFolder: this.stateFolder,
        ...(this.jobUser ? { jobUser: this.jobUser } : {}),
      },
      killRequested,
    );
    this.running.set(spec.jobId, execution);
    this.jobsStarted++;
    this.log(`running job ${spec.jobId}`);
    const done = start(execution)
      .catch((error: unknown) => this.log(`job ${spec.jobId}: ${(error as Error).message}`))
      .finally(() => {
        this.running.delete(spec.jobId);
        this.acknowledgedKills.delete(spec.jobId);
        this.finished.delete(done);
        this.slotFreed?.();
        this.log(`finished job ${spec.jobId}`);
      });
    this.finished.add(done);
    return done;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
