import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { QuarryConfig } from '../config/config.ts';
import { ConfigError } from '../config/config-error.ts';
import { serverToken } from '../config/server-token.ts';
import { DEMO } from './demo-names.ts';
import type { DemoFiles } from './demo-setup.ts';

/** How the demo authenticates to the server, and how its jobs do. */
export interface DemoCredential {
  /** The Authorization header's value; undefined when the platform checks no credentials (mode none). */
  authorization?: string;
  /** The file (0600) the demo's ab-report and sql jobs read the token from (QUARRY_SERVER_TOKEN_FILE). */
  tokenFile?: string;
  /** Where the credential came from, for the demo's output. */
  origin: string;
}

/** Marks the token the demo made itself, so `quarry demo --remove` revokes that one and never a user's. */
const DEMO_TOKEN_DESCRIPTION = 'quarry demo (quarry demo --remove revokes it)';

/** Thrown when the demo cannot get a credential; its message says what to do. */
export class DemoCredentialError extends ConfigError {}

/**
 * The credential a local admin legitimately has, never a way around authentication:
 * - QUARRY_SERVER_TOKEN (or QUARRY_SERVER_TOKEN_FILE), the token the CLI's --server commands send,
 *   in any mode: the user's own admin token or OIDC JWT;
 * - else, in mode tokens, the demo's own admin token for the user `demo`, made as `quarry token
 *   create --admin` makes one (directly in the metadata database, which this host's configuration
 *   opens) and kept in the demo's folder (0600) for the next run, while it is still valid;
 * - else, in mode oidc, none can be made here: DemoCredentialError says to set QUARRY_SERVER_TOKEN;
 * - in mode none, no credential.
 * Jobs read the token from a file so it stays out of the registry, their command lines and their
 * environment dumps, which every authenticated user may read.
 */
export async function demoCredential(config: QuarryConfig, files: DemoFiles, env: NodeJS.ProcessEnv = process.env): Promise<DemoCredential> {
  const given = serverToken(env);
  if (given) {
    keepToken(files.token, given);
    return { authorization: `Bearer ${given}`, tokenFile: files.token, origin: 'QUARRY_SERVER_TOKEN' };
  }
  if (config.auth.mode === 'oidc') {
    throw new DemoCredentialError(
      'QUARRY_SERVER_TOKEN',
      `is not set, and authentication is in mode oidc (issuer ${config.auth.oidc?.issuer}): the demo cannot make a credential on this host. Set QUARRY_SERVER_TOKEN to a JWT of an admin from that issuer and run the demo again`,
    );
  }
  if (config.auth.mode === 'none') return { origin: 'none (auth mode none)' };
  const { openDatabase } = await import('../db/database.ts');
  const { ApiTokens } = await import('../auth/api-tokens.ts');
  const database = await openDatabase(config.database);
  try {
    const tokens = new ApiTokens(database);
    const kept = existsSync(files.token) ? readFileSync(files.token, 'utf8').trim() : '';
    const valid = kept ? await tokens.verify(kept) : undefined;
    if (valid?.admin && valid.description === DEMO_TOKEN_DESCRIPTION) {
      return { authorization: `Bearer ${kept}`, tokenFile: files.token, origin: `the demo's admin token ${valid.id} (${files.token})` };
    }
    const made = await tokens.create({ user: DEMO.user, admin: true, description: DEMO_TOKEN_DESCRIPTION });
    keepToken(files.token, made.token);
    return { authorization: `Bearer ${made.token}`, tokenFile: files.token, origin: `a new admin token ${made.id} for user ${DEMO.user} (kept in ${files.token}; quarry token list shows it)` };
  } finally {
    await database.close();
  }
}

/** Revokes the token the demo made itself (a user's token copied there is left valid) and deletes its file. */
export async function revokeDemoToken(config: QuarryConfig, files: DemoFiles): Promise<string | undefined> {
  if (!existsSync(files.token)) return undefined;
  const kept = readFileSync(files.token, 'utf8').trim();
  const { openDatabase } = await import('../db/database.ts');
  const { ApiTokens } = await import('../auth/api-tokens.ts');
  const database = await openDatabase(config.database);
  try {
    const tokens = new ApiTokens(database);
    const token = await tokens.verify(kept);
    rmSync(files.token, { force: true });
    if (token?.description !== DEMO_TOKEN_DESCRIPTION) return undefined;
    await tokens.revoke(token.id);
    return token.id;
  } finally {
    await database.close();
  }
}

/** Writes the token readable by this OS user alone (the agent runs the demo's jobs as this user). */
function keepToken(file: string, token: string): void {
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}
