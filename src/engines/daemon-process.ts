import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * A long-running engine process (Spark master or worker, Trino coordinator) started in its own process
 * group, so that stopping it stops every process it started (spark-class execs java; a worker forks
 * executors). Its pid is written to `pidFile` as soon as it runs; its output goes to `logFile`.
 */
export function startDaemon(command: string, args: readonly string[], options: { pidFile: string; logFile: string; cwd: string; env: NodeJS.ProcessEnv }): number {
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', log, log] });
    if (child.pid === undefined) throw new Error(`cannot start ${command}`);
    child.unref();
    writeFileSync(options.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Whether a process (or, for a negative id, any process of a group) is alive. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

/**
 * Stops the process group whose leader's pid is in `pidFile`: SIGTERM to the group, then SIGKILL to
 * what is left after `graceMs`; removes the pid file. Answers whether anything was running.
 */
export async function stopDaemon(pidFile: string, graceMs = 15_000): Promise<boolean> {
  const pid = readPid(pidFile);
  if (pid === undefined) return false;
  const group = -pid;
  const running = isAlive(group);
  if (running) {
    signal(group, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(group) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    if (isAlive(group)) signal(group, 'SIGKILL');
    const killDeadline = Date.now() + 10_000;
    while (isAlive(group) && Date.now() < killDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  rmSync(pidFile, { force: true });
  return running;
}

function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Polls `check` until it answers a value (not undefined) or the deadline passes; the error names what
 * was awaited, the last thing seen and the log to read. Fails at once when the process died.
 */
export async function awaitReady<T>(what: string, check: () => Promise<T | undefined>, options: { pid: number; logFile: string; timeoutMs: number }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'nothing yet';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = (error as Error).message;
    }
    if (!isAlive(options.pid)) throw new Error(`${what}: the process exited before it was ready; see ${options.logFile}${tailOf(options.logFile)}`);
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${options.timeoutMs / 1000} s (last seen: ${last}); see ${options.logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function tailOf(file: string): string {
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15);
  return `:\n${lines.join('\n')}`;
}
