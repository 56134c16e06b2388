import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { localAgentPaths } from '../../src/cli/local-agent.ts';

const QUARRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/quarry.js');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** Stops with the given signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `quarry server` as a child process and waits until /health answers (at most `startTimeoutMs`: on a loaded machine, with the whole suite on 2 shared cores, starting a server has taken over 20 s). */
export async function startServerProcess(env: Record<string, string>, port: number, args: string[] = [], startTimeoutMs = 90_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [QUARRY, 'server', ...args], {
    env: { ...process.env, QUARRY_PORT: String(port), QUARRY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const server: ServerProcess = {
    child,
    url,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  for (let i = 0; i < startTimeoutMs / 100; i++) {
    if (child.exitCode !== null) break;
    const health = await fetch(`${url}/health`).catch(() => undefined);
    if (health?.ok) return server;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await server.stop('SIGKILL');
  throw new Error(`quarry server did not come up on ${url}:\n${output}`);
}

/** The pid of the embedded agent a server started for `home`, read from its pid file. */
export function localAgentPid(home: string): number | undefined {
  try {
    return Number(readFileSync(localAgentPaths(home).pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** Stops the embedded agent of `home` (SIGTERM, then SIGKILL) and waits for it to go away. */
export async function stopLocalAgent(home: string): Promise<void> {
  const pid = localAgentPid(home);
  if (!pid) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 200 && alive(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive()) process.kill(pid, 'SIGKILL');
}
