import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { newSecret } from './secret-hash.ts';

/** The file under QUARRY_HOME holding the installation's generated agent secret. */
export function installationSecretPath(home: string): string {
  return path.join(home, 'agent-secret');
}

/**
 * The installation's agent secret when none is configured (QUARRY_AGENT_TOKEN): made at the first
 * start, kept in `<home>/agent-secret` readable by its owner alone (0600), and reused by every later
 * start and by `quarry agent` processes on this host, so the agent API is never open. Creation is
 * exclusive (a link), so two processes starting at once end up with the same secret.
 */
export function installationAgentSecret(home: string): string {
  const file = installationSecretPath(home);
  const existing = readSecret(file);
  if (existing) return existing;
  mkdirSync(home, { recursive: true });
  // Written whole under a private name, then linked into place: link fails if another process won.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${newSecret('qri_')}\n`, { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  const made = readSecret(file);
  if (!made) throw new Error(`${file} is empty: delete it, and a new agent secret is made at the next start`);
  return made;
}

/** The secret in `<home>/agent-secret` if the file exists; never creates it (for agents). */
export function existingInstallationSecret(home: string): string | undefined {
  return readSecret(installationSecretPath(home));
}

function readSecret(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // A copy restored from a backup may have lost its mode: the secret is for the owner alone.
  chmodSync(file, 0o600);
  return text.trim() || undefined;
}
