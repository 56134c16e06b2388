import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './postgres-server.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCRIPT = path.join(ROOT, 'scripts/services/mariadb.sh');

let started: Promise<string> | undefined;

/**
 * The root URL (`mysql://root@127.0.0.1:PORT/`) of the MariaDB server the catalog's federation tests
 * use. `npm test` starts one for the whole run (QUARRY_TEST_MARIADB_URL); a test file run on its own
 * starts a private one here, stopped when the process exits. Without MariaDB the test fails.
 */
export function mariadbRootUrl(): Promise<string> {
  const given = process.env.QUARRY_TEST_MARIADB_URL;
  if (given) return Promise.resolve(given);
  started ??= startPrivateServer();
  return started;
}

async function startPrivateServer(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-mariadb-'));
  const port = await freePort();
  const install = spawnSync('bash', [SCRIPT, 'install'], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error('MariaDB is not installed and could not be installed (scripts/services/mariadb.sh install)');
  const start = spawnSync('bash', [SCRIPT, 'start', dir, String(port)], { stdio: 'inherit' });
  if (start.status !== 0) throw new Error('MariaDB did not start (scripts/services/mariadb.sh start)');
  process.once('exit', () => {
    spawnSync('bash', [SCRIPT, 'stop', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return `mysql://root@127.0.0.1:${port}/`;
}
