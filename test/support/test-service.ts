import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVICES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/services');

export interface TestServiceSpec {
  /** Shown in errors, e.g. "PostgreSQL". */
  label: string;
  /** The variable through which `npm test` (scripts/with-services.sh) passes the running service. */
  env: string;
  /** The script under scripts/services that installs, starts and stops it. */
  script: string;
  /** Whether the script has an `install` step to run before starting. */
  installs: boolean;
  /** The address clients use, given the port it was started on. */
  address(port: number): string;
}

/**
 * The address of a service tests need. `npm test` starts each service once for the whole run and
 * passes its address in the environment; a test file run on its own starts a private one through
 * the same script (stopped when the process exits). There is no skip: without the service the
 * test fails, naming the script that would fix it.
 */
export function testService(spec: TestServiceSpec): () => Promise<string> {
  let started: Promise<string> | undefined;
  return () => {
    const given = process.env[spec.env];
    if (given) return Promise.resolve(given);
    started ??= startPrivate(spec);
    return started;
  };
}

async function startPrivate(spec: TestServiceSpec): Promise<string> {
  const script = path.join(SERVICES, spec.script);
  const dir = mkdtempSync(path.join(os.tmpdir(), `quarry-${path.basename(spec.script, '.sh')}-`));
  // Some servers (PostgreSQL) run as another user, who must be able to reach their data folder.
  chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  const port = await freePort();
  if (spec.installs) {
    const install = spawnSync('bash', [script, 'install'], { stdio: 'inherit' });
    if (install.status !== 0) throw new Error(`${spec.label} is not installed and could not be installed (scripts/services/${spec.script} install)`);
  }
  const start = spawnSync('bash', [script, 'start', data, String(port)], { stdio: 'inherit' });
  if (start.status !== 0) throw new Error(`${spec.label} did not start (scripts/services/${spec.script} start)`);
  process.once('exit', () => {
    spawnSync('bash', [script, 'stop', data]);
    rmSync(dir, { recursive: true, force: true });
  });
  return spec.address(port);
}

/** A TCP port free on 127.0.0.1 at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
