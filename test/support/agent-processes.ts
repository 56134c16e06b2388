import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

/**
 * Pids of live (not zombie) processes for which `matches(pid)` answers true; a process that ends
 * while it is looked at, or whose files are not ours to read, is left out. Tests of job processes
 * find them by /proc alone, independently of the agent's own search.
 */
export function liveProcesses(matches: (pid: string) => boolean): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (isZombie(name)) continue;
      if (matches(name)) pids.push(Number(name));
    } catch {
      // Gone while we looked, or not ours to read.
    }
  }
  return pids;
}

/** Whether `pid` runs and is not a zombie. */
export function isLive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(String(pid));
  } catch {
    return false;
  }
}

function isZombie(pid: string): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
}

/** `quarry agent` processes a test starts against its server and stops at the end. */
export interface AgentProcesses {
  /** Starts one more agent on the platform's job and cache folders (the same ones each time, so a new agent adopts a dead one's jobs). */
  start(): ChildProcess;
  /** Stops (SIGTERM) every agent still running and waits for each to exit. */
  stopAll(): Promise<void>;
}

/** Agents for the server at `url()` (read at each start: the test may listen after making this). */
export function agentProcesses(config: { home: string; jobs: { directoryRoot: string; cacheDirectory: string } }, url: () => string): AgentProcesses {
  const agents: ChildProcess[] = [];
  return {
    start() {
      const child = spawn(process.execPath, [QUARRY, 'agent', '--server', url(), '--jobs-dir', config.jobs.directoryRoot, '--cache-dir', config.jobs.cacheDirectory], {
        stdio: 'ignore',
        env: { ...process.env, QUARRY_HOME: config.home },
      });
      agents.push(child);
      return child;
    },
    async stopAll() {
      for (const agent of agents) {
        if (agent.exitCode === null && agent.signalCode === null) {
          agent.kill('SIGTERM');
          await new Promise((resolve) => agent.once('exit', resolve));
        }
      }
    },
  };
}
