import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';

/** The server the demo talks to: one it found running, or one it started (and stops). */
export interface DemoServer {
  url: string;
  started: boolean;
  /** Stops the server if the demo started it; a server found running is left alone. */
  stop(): Promise<void>;
}

/**
 * Uses the server answering /health at `url`, or starts `quarry server` (a child process logging to
 * `logFile`, with `env`) and waits until it answers. Starting takes seconds on a quiet machine and
 * has taken over 20 s on a loaded one, so the wait is generous and names the log on failure.
 */
export async function startOrReuseServer(url: string, start: { command: string[]; env: NodeJS.ProcessEnv; logFile: string; timeoutMs?: number }): Promise<DemoServer> {
  if (await healthy(url)) return { url, started: false, stop: async () => undefined };
  const log = openSync(start.logFile, 'a');
  const child: ChildProcess = spawn(start.command[0]!, start.command.slice(1), { env: start.env, stdio: ['ignore', log, log] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + (start.timeoutMs ?? 180_000);
  while (!(await healthy(url))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`quarry server stopped before answering at ${url} (exit ${child.exitCode ?? child.signalCode}); see ${start.logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`quarry server did not answer at ${url}/health within ${(start.timeoutMs ?? 180_000) / 1000} s; see ${start.logFile}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    started: true,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function healthy(url: string): Promise<boolean> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  await response?.body?.cancel().catch(() => undefined);
  return response?.ok ?? false;
}
