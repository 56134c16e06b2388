import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'scripts/services/postgres.sh');

let started: Promise<string> | undefined;

/**
 * The admin URL of the PostgreSQL server tests use. `npm test` starts one server for the whole run
 * and passes it in QUARRY_TEST_POSTGRES_URL; a test file run on its own starts a private one here
 * (stopped when the process exits). Either way there is no skip: without PostgreSQL the test fails.
 */
export function postgresAdminUrl(): Promise<string> {
  const given = process.env.QUARRY_TEST_POSTGRES_URL;
  if (given) return Promise.resolve(given);
  started ??= startPrivateServer();
  return started;
}

async function startPrivateServer(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-pg-'));
  spawnSync('chmod', ['755', dir]);
  const port = await freePort();
  const install = spawnSync('bash', [SCRIPT, 'install'], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error('PostgreSQL is not installed and could not be installed (scripts/services/postgres.sh install)');
  const start = spawnSync('bash', [SCRIPT, 'start', path.join(dir, 'pg'), String(port)], { stdio: 'inherit' });
  if (start.status !== 0) throw new Error('PostgreSQL did not start (scripts/services/postgres.sh start)');
  process.once('exit', () => {
    spawnSync('bash', [SCRIPT, 'stop', path.join(dir, 'pg')]);
    rmSync(dir, { recursive: true, force: true });
  });
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
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
