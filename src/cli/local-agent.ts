import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const QUARRY_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

/** Where the embedded agent of a QUARRY_HOME keeps its pid file and log. */
export function localAgentPaths(home: string) {
  const dir = path.join(home, 'agent');
  return { dir, pidFile: path.join(dir, 'agent.pid'), logFile: path.join(dir, 'agent.log') };
}

/** The pid of a live `quarry agent` started for this home, if one runs. */
export function runningLocalAgent(home: string): number | undefined {
  const { pidFile } = localAgentPaths(home);
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  // A recycled pid belongs to some other program: only a quarry agent counts.
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (!cmdline.includes('agent')) return undefined;
  } catch {
    // No /proc (not Linux): trust the pid file.
  }
  return pid;
}

/**
 * Starts the embedded agent for `quarry server`, unless one already runs for this home (a
 * restarted server reuses it). The agent is detached into its own session with its output in
 * `<home>/agent/agent.log`, so a server crash or Ctrl-C does not take its jobs down.
 */
export function startLocalAgent(home: string, serverUrl: string, env: NodeJS.ProcessEnv = process.env): { pid: number; started: boolean } {
  const existing = runningLocalAgent(home);
  if (existing) return { pid: existing, started: false };
  const { dir, pidFile, logFile } = localAgentPaths(home);
  mkdirSync(dir, { recursive: true });
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(process.execPath, [QUARRY_BIN, 'agent', '--server', serverUrl, '--pid-file', pidFile], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...env, QUARRY_HOME: home },
    });
    child.unref();
    return { pid: child.pid!, started: true };
  } finally {
    closeSync(log);
  }
}
