import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { S3Config } from '../config/config.ts';
import type { FilesLimit, JobSpecification, ResourceFiles } from '../protocol/agent/agent-protocol.ts';
import { StatusMessages, isFinal, type JobStatus } from '../protocol/agent/job-status.ts';
import type { DependencyCache } from './dependency-cache.ts';
import { appendConfined, removeConfined } from './confined-open.ts';
import { archiveJobDirectory } from './job-archiver.ts';
import { findFilesLimitBreach } from './job-files-limit.ts';
import { JobDirectory, SETUP_FILE_NAME } from './job-directory.ts';
import { adoptJobProcess, endedJobProcess, launchJob, type JobProcess } from './job-process.ts';
import type { AgentState, AgentStateFolder } from './agent-state-folder.ts';
import { isJobLeader, processStartTime } from './job-leader.ts';
import { endJobProcesses } from './job-process-reaper.ts';
import { createJobCgroup, enterJobCgroup, removeJobCgroup, trustedJobCgroup, type JobCgroup } from './job-cgroup.ts';
import { fileNameOf } from './resource-fetcher.ts';
import { handDirectoryTo, type JobUser } from './job-user.ts';
import { renderRunScript } from './run-script.ts';
import { ServerRejectedError, type ServerClient } from './server-client.ts';

export type KillReason = 'user' | 'timeout' | 'system' | 'files-limit';


export interface ExecutionContext {
  client: ServerClient;
  cache: DependencyCache;
  jobsRoot: string;
  s3: S3Config;
  killGraceMs: number;
  filesLimit: FilesLimit;
  /** The agent's own folder, outside job directories: where launched jobs are recorded for adoption. */
  stateFolder: AgentStateFolder;
  /** The account jobs run as (jobs.runAsUser); the agent's own when absent. */
  jobUser?: JobUser;
}

/** Stops the execution early: the job reached a final status, or could not go on. */
class Stop extends Error {}

/**
 * Runs one claimed job to its end (reference/genie.md 4.2): INIT, job directory, files through the
 * cache, run script, launch (RUNNING), timeout and kill handling, final status with exit code,
 * archive. Every status change is a compare-and-set on the server; when the server says the job is
 * no longer what this agent thinks (the leader failed it, a user killed it), the agent follows.
 */
export class JobExecution {
  private status: JobStatus = 'CLAIMED';
  private killReason?: KillReason;
  private process?: JobProcess;
  private cgroup?: JobCgroup;
  /** The job's process group, once launched or verified on adoption; never taken unverified from a record. */
  private pgid?: number;
  /** When a kill's grace ends (epoch ms): by then every process of the job gets SIGKILL. */
  private killDeadline?: number;
  private readonly dir: JobDirectory;

  constructor(
    readonly spec: JobSpecification,
    private readonly context: ExecutionContext,
    killRequested = false,
  ) {
    this.dir = new JobDirectory(context.jobsRoot, spec.jobId);
    if (killRequested) this.killReason = 'user';
  }

  get jobId(): string {
    return this.spec.jobId;
  }

  /** Asks the job to stop: SIGTERM to its process group now, SIGKILL after the grace period. */
  kill(reason: KillReason): void {
    if (this.killReason) return;
    this.killReason = reason;
    void this.log(`kill requested (${reason})`);
    this.signalProcess();
  }

  private signalProcess(): void {
    const child = this.process;
    if (!child) return;
    this.killDeadline ??= Date.now() + this.context.killGraceMs;
    child.signal('SIGTERM');
    // The leader may end at once while its children ignore SIGTERM: endProcesses, run when the
    // leader has ended, finishes the job off at this same deadline.
    const escalate = setTimeout(() => child.signal('SIGKILL'), this.context.killGraceMs);
    void child.exited.finally(() => clearTimeout(escalate));
  }

  /**
   * Makes sure no process of the job is left once its leader ended (a kill, a timeout, or a normal
   * end that left background children behind): whatever remains gets SIGTERM, then SIGKILL when the
   * kill's grace ends (or a grace from now), strays outside the group included.
   */
  private async endProcesses(deadline = this.killDeadline ?? Date.now() + this.context.killGraceMs): Promise<void> {
    if (!this.process) return;
    const remained = await endJobProcesses({ pgid: this.pgid, jobId: this.jobId, cgroup: this.cgroup }, deadline).catch((error: unknown) => {
      void this.log(`could not end the job's processes: ${(error as Error).message}`);
      return [];
    });
    if (remained.length > 0) await this.log(`killed processes left by the job after the grace: ${remained.join(', ')}`);
  }

  async run(): Promise<void> {
    let launched = false;
    try {
      await this.change('INIT', StatusMessages.initializing);
      await this.stopIfKilled();
      await this.prepareDirectory();
      const setup = await this.placeFiles();
      await writeFile(this.dir.run, renderRunScript(this.spec, this.dir, setup));
      await chmod(this.dir.run, 0o755);
      await this.stopIfKilled();
      this.process = await this.launch();
      this.pgid = this.process.pid;
      launched = true;
      const state: AgentState = {
        spec: this.spec,
        pgid: this.process.pid,
        leaderStart: await processStartTime(this.process.pid),
        agentId: this.context.client.agentId,
        agentPid: process.pid,
        launched: Date.now(),
        ...(this.cgroup ? { cgroup: this.cgroup.path } : {}),
      };
      await this.context.stateFolder.saveJob(state);
      await this.change('RUNNING', StatusMessages.running, { processId: this.process.pid });
      await this.supervise(state.launched);
    } catch (error) {
      if (!(error instanceof Stop)) {
        await this.log(`error: ${(error as Error).stack ?? String(error)}`);
        // A refusal (the job is no longer this agent's, e.g. requeued after a lost claim answer) leaves
        // nothing to report: a FAILED here could land on the job's next claim by this same agent.
        if (!isFinal(this.status) && !(error instanceof ServerRejectedError)) {
          // The reason goes with Genie's message: "no space left on device" tells an operator what to fix.
          await this.change('FAILED', `${launched ? StatusMessages.failed : StatusMessages.launchFailed}: ${reasonOf(error)}`).catch(() => undefined);
        }
      }
      if (this.process && !isFinal(this.status)) this.process.signal('SIGKILL');
    }
    await this.endProcesses(Date.now());
    await this.context.stateFolder.removeJob(this.jobId);
    await this.archive();
  }

  /**
   * Takes over a job launched before this agent restarted (see Agent.adoptOrphans): the server has
   * confirmed the job is this agent's; the process group is watched, timed and reported as if this
   * agent had launched it — if the record still names the job's own leader (job-leader.ts). A record
   * naming anything else (changed by someone, or a pid reused since) is not acted on: the job is taken
   * as ended, and only processes proven to be the job's (its cgroup, its GENIE_JOB_ID) are ended.
   */
  async resume(state: AgentState, status: JobStatus): Promise<void> {
    this.status = status;
    try {
      this.cgroup = await trustedJobCgroup(state.cgroup, this.jobId);
      if (await isJobLeader(state.pgid, this.jobId, state.leaderStart)) {
        this.pgid = state.pgid;
        this.process = adoptJobProcess(state.pgid, this.dir.exitCode);
      } else {
        await this.log(`process ${state.pgid} named in the agent's record is not this job's leader (it ended, or the record was changed): it is not watched or signalled`);
        this.process = endedJobProcess(state.pgid, this.dir.exitCode);
      }
      await this.log(`adopted by agent ${this.context.client.agentId} (process group ${state.pgid}, status ${status})`);
      if (status === 'INIT') await this.change('RUNNING', StatusMessages.running, { processId: state.pgid });
      await this.supervise(state.launched);
    } catch (error) {
      if (!(error instanceof Stop)) {
        await this.log(`error: ${(error as Error).stack ?? String(error)}`);
        if (!isFinal(this.status)) await this.change('FAILED', StatusMessages.failed).catch(() => undefined);
      }
      if (!isFinal(this.status)) this.process?.signal('SIGKILL');
    }
    await this.endProcesses(Date.now());
    await this.context.stateFolder.removeJob(this.jobId);
    await this.archive();
  }

  /**
   * Waits for the launched process under its timeout (counted from launch) and the files limit, and
   * reports how it ended.
   */
  private async supervise(launched: number): Promise<void> {
    const child = this.process!;
    if (this.killReason) this.signalProcess();
    const timer = setTimeout(() => this.kill('timeout'), Math.max(0, launched + this.spec.timeoutSeconds * 1000 - Date.now()));
    const monitor = this.monitorFiles();
    const exit = await child.exited;
    clearTimeout(timer);
    monitor.stop();
    await this.log(`job process exited with code ${exit.code}`);
    await this.endProcesses();
    const [status, message] = await this.finalStatus(exit.code);
    await this.change(status, message, { exitCode: exit.code });
  }

  /**
   * Measures the job directory every `checkIntervalMs` while the process runs (Genie's job monitor,
   * reference/genie.md 4.6) and kills the job when it breaks a limit. One measurement at a time: a
   * slow walk delays the next instead of piling up.
   */
  private monitorFiles(): { stop(): void } {
    const limit = this.context.filesLimit;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const check = async () => {
      const breach = await findFilesLimitBreach(this.dir.root, limit).catch(() => undefined);
      if (stopped) return;
      if (breach) {
        await this.log(`files limit exceeded: ${breach}`);
        this.kill('files-limit');
        return;
      }
      timer = setTimeout(() => void check(), limit.checkIntervalMs);
    };
    timer = setTimeout(() => void check(), limit.checkIntervalMs);
    return {
      stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }

  private async stopIfKilled(): Promise<void> {
    if (this.killReason) {
      await this.change('KILLED', this.killReason === 'timeout' ? StatusMessages.timedOut : StatusMessages.killedByUser);
      throw new Stop();
    }
  }

  private async finalStatus(code: number): Promise<[JobStatus, string]> {
    if (code === 0) return ['SUCCEEDED', StatusMessages.succeeded];
    if (this.killReason === 'user') return ['KILLED', StatusMessages.killedByUser];
    if (this.killReason === 'timeout') return ['KILLED', StatusMessages.timedOut];
    if (this.killReason === 'files-limit') return ['KILLED', StatusMessages.filesLimit];
    if (this.killReason === 'system') return ['FAILED', StatusMessages.killedBySystem];
    const setupFailed = await stat(this.dir.setupFailedMarker).then(() => true, () => false);
    return ['FAILED', setupFailed ? StatusMessages.setupFailed : StatusMessages.failed];
  }

  /** Compare-and-set from the status this agent believes the job has; a lost race stops the run. */
  private async change(next: JobStatus, message: string, extra: { exitCode?: number; processId?: number } = {}): Promise<void> {
    // The time is taken now: a change that waits for a server (in the outbox) keeps when it happened.
    const result = await this.context.client.changeStatus(this.jobId, { expected: this.status, status: next, message, time: Date.now(), ...extra });
    if (result.killRequested && !this.killReason) this.kill('user');
    if (result.changed && !result.killRequested && this.killReason === 'user' && !this.process) {
      // A heartbeat named this job while it was briefly not ours (requeued after a lost claim answer,
      // then claimed again by this agent); this compare-and-set proves it is ours and that no user
      // asked to kill it. Nothing was signalled yet, so the job goes on rather than ending "killed by user".
      await this.log('kill withdrawn: the server has the job as ours and no kill requested');
      this.killReason = undefined;
    }
    if (!result.changed) {
      await this.log(`server has the job as ${result.status}; wanted ${this.status} → ${next}`);
      this.status = result.status;
      if (this.process) this.process.signal('SIGKILL');
      throw new Stop();
    }
    this.status = next;
    await this.log(`status ${next}: ${message}`);
  }

  private async prepareDirectory(): Promise<void> {
    try {
      await mkdir(this.dir.root, { recursive: false });
      await mkdir(this.dir.logs, { recursive: true });
    } catch (error) {
      await this.change('FAILED', `${StatusMessages.createDirectoryFailed}: ${reasonOf(error)}`);
      throw error;
    }
  }

  private async placeFiles() {
    const placed = new Set<string>();
    const place = async (uri: string, target: string) => {
      if (placed.has(target)) throw new Error(`Two resources map to ${target}`);
      placed.add(target);
      await mkdir(path.dirname(target), { recursive: true });
      const outcome = await this.context.cache.place(uri, target);
      await this.log(`placed ${uri} at ${path.relative(this.dir.root, target)} (cache ${outcome})`);
    };
    const resource = async (files: ResourceFiles, folder: string) => {
      await mkdir(folder, { recursive: true });
      if (files.setupFile) await place(files.setupFile, path.join(folder, SETUP_FILE_NAME));
      for (const uri of files.configs) await place(uri, path.join(folder, 'config', fileNameOf(uri)));
      for (const uri of files.dependencies) await place(uri, path.join(folder, 'dependencies', fileNameOf(uri)));
    };
    try {
      await resource(this.spec.cluster, this.dir.cluster(this.spec.cluster.id));
      for (const app of this.spec.applications) await resource(app, this.dir.application(app.id));
      await resource(this.spec.command, this.dir.command(this.spec.command.id));
      const job = this.spec.job;
      if (job.setupFile) await place(job.setupFile, path.join(this.dir.root, SETUP_FILE_NAME));
      for (const uri of [...job.configs, ...job.dependencies]) await place(uri, path.join(this.dir.root, fileNameOf(uri)));
    } catch (error) {
      await this.log(`download failed: ${(error as Error).message}`);
      await this.change('FAILED', StatusMessages.downloadFailed);
      throw new Stop();
    }
    return {
      cluster: this.spec.cluster.setupFile !== undefined,
      applications: this.spec.applications.filter((a) => a.setupFile !== undefined).map((a) => a.id),
      command: this.spec.command.setupFile !== undefined,
      job: this.spec.job.setupFile !== undefined,
    };
  }

  private async launch(): Promise<JobProcess> {
    try {
      const env = { ...process.env };
      for (const key of Object.keys(env)) if (key.startsWith('QUARRY_') || key.startsWith('GENIE_')) delete env[key];
      // In the leader's starting environment, which nothing can change afterwards: how a restarted
      // agent proves a recorded process group is this job's (job-leader.ts), and how strays are found.
      env.GENIE_JOB_ID = this.jobId;
      const user = this.context.jobUser;
      if (user) {
        Object.assign(env, { USER: user.name, LOGNAME: user.name, HOME: this.dir.root });
        await handDirectoryTo(this.dir.root, user);
      }
      const made = await createJobCgroup(this.jobId);
      if ('unavailable' in made) await this.log(`no cgroup for this job, so processes that leave its process group and clear their environment cannot be found: ${made.unavailable}`);
      else this.cgroup = made.cgroup;
      const child = await launchJob(this.dir.run, this.dir.root, this.dir.stdout, this.dir.stderr, env, this.cgroup && `${this.cgroup.path}/cgroup.procs`, user);
      if (this.cgroup) {
        // The launcher moved itself already; this confirms it (or tells why not) for the log.
        const cgroup = this.cgroup;
        await enterJobCgroup(cgroup, child.pid).catch(async (error: unknown) => {
          await this.log(`could not move the job into cgroup ${cgroup.path} (${(error as Error).message}); processes that leave its process group and clear their environment cannot be found`);
          this.cgroup = undefined;
          await removeJobCgroup(cgroup);
        });
      }
      return child;
    } catch (error) {
      await this.change('FAILED', StatusMessages.launchFailed);
      throw error;
    }
  }

  /** Archives the directory (if there is one) and reports the outcome; then drops downloaded dependencies. */
  private async archive(): Promise<void> {
    const hasDirectory = await stat(this.dir.root).then(() => true, () => false);
    if (!hasDirectory) {
      await this.context.client.setArchiveStatus(this.jobId, 'NO_FILES').catch(() => undefined);
      return;
    }
    try {
      const manifest = await archiveJobDirectory(this.jobId, this.dir.root, this.spec.archiveLocation, this.context.s3, this.context.filesLimit.maxFiles);
      if (manifest.truncated) await this.log(`archive holds the first ${manifest.entries.length} files and folders only (the files limit)`);
      await this.context.client.setArchiveStatus(this.jobId, 'ARCHIVED');
    } catch (error) {
      await this.log(`archive failed: ${(error as Error).message}`);
      await this.context.client.setArchiveStatus(this.jobId, 'FAILED').catch(() => undefined);
    }
    // Through confined folders: a job that swapped genie/cluster/<id> for a link to elsewhere must not
    // have the agent delete that elsewhere's `dependencies`.
    for (const folder of [this.dir.cluster(this.spec.cluster.id), this.dir.command(this.spec.command.id), ...this.spec.applications.map((a) => this.dir.application(a.id))]) {
      await removeConfined(this.context.jobsRoot, path.relative(this.context.jobsRoot, folder).split(path.sep), 'dependencies');
    }
  }

  private async log(line: string): Promise<void> {
    try {
      // Never through a link the job planted in genie/ or genie/logs/.
      const logs = path.relative(this.context.jobsRoot, this.dir.logs).split(path.sep);
      await appendConfined(this.context.jobsRoot, logs, path.basename(this.dir.agentLog), `${new Date().toISOString()} ${line}\n`);
    } catch {
      // Before the directory exists there is nowhere to log to.
    }
  }
}

/** The first line of an error's message, for a job's status message. */
function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}
