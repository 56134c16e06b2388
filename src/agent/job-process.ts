import { spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { asJobUser, type JobUser } from './job-user.ts';

export interface JobExit {
  /** The exit code, or 128 + signal number when a signal ended the process (shell convention). */
  code: number;
}

export interface JobProcess {
  readonly pid: number;
  readonly exited: Promise<JobExit>;
  /** Signals the whole process group (the run script and everything it started). */
  signal(signal: NodeJS.Signals): void;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/**
 * Starts `bash run` in the job directory as the leader of a new session and process group
 * (detached), with stdout and stderr written straight to files. The job therefore outlives the
 * agent's own stdio and can be signalled as one group; it does not die with the agent.
 *
 * With `cgroupProcs` (the job cgroup's `cgroup.procs`), a shell first moves itself into the cgroup
 * and then becomes `bash run` (exec: same pid), so nothing of the job runs before it is in the
 * cgroup. The move is best effort here; the caller confirms it (enterJobCgroup) and logs a failure.
 * With `user`, `bash run` runs as that user (setpriv), so the job cannot read what only the agent may.
 */
export async function launchJob(runScript: string, cwd: string, stdoutFile: string, stderrFile: string, env: NodeJS.ProcessEnv, cgroupProcs?: string, user?: JobUser): Promise<JobProcess> {
  const out = await open(stdoutFile, 'a');
  const err = await open(stderrFile, 'a');
  try {
    // As another user, the launcher still joins the cgroup as the agent (root), then drops to the user.
    const run = [...(user ? asJobUser(user) : []), 'bash'];
    const [command, args]: [string, string[]] = cgroupProcs
      ? ['sh', ['-c', '{ echo $$ > "$0"; } 2>/dev/null; exec "$@"', cgroupProcs, ...run, runScript]]
      : [run[0]!, [...run.slice(1), runScript]];
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', out.fd, err.fd], env });
    const exited = new Promise<JobExit>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code: code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 1) : 1) }));
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const pid = child.pid!;
    return {
      pid,
      exited,
      signal(signal) {
        try {
          process.kill(-pid, signal);
        } catch {
          // The group is already gone.
        }
      },
    };
  } finally {
    await out.close();
    await err.close();
  }
}

/**
 * An adopted job whose recorded leader could not be verified (it ended while no agent watched, or
 * the record names another process): nothing is watched or signalled; its exit code is read from the
 * file the run script writes (absent: 137).
 */
export function endedJobProcess(pid: number, exitCodeFile: string): JobProcess {
  return { pid, exited: readExitCode(exitCodeFile), signal() {} };
}

async function readExitCode(exitCodeFile: string): Promise<JobExit> {
  try {
    const code = Number((await readFile(exitCodeFile, 'utf8')).trim());
    return { code: Number.isInteger(code) ? code : 137 };
  } catch {
    return { code: 137 };
  }
}

/**
 * A job process group this agent did not start (it was launched by an agent that has since died):
 * it is not our child, so its end is seen by polling the group and its exit code is read from the
 * file the run script writes (absent if the script was SIGKILLed: 137).
 */
export function adoptJobProcess(pgid: number, exitCodeFile: string): JobProcess {
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const exited = (async (): Promise<JobExit> => {
    while (alive()) await new Promise((resolve) => setTimeout(resolve, 250));
    return readExitCode(exitCodeFile);
  })();
  return {
    pid: pgid,
    exited,
    signal(signal) {
      try {
        process.kill(-pgid, signal);
      } catch {
        // The group is already gone.
      }
    },
  };
}
