import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The credential CLI commands send to a server that checks them (`--server`): QUARRY_SERVER_TOKEN,
 * else the first line of the file QUARRY_SERVER_TOKEN_FILE names. The file form exists for jobs:
 * a command registered as `env QUARRY_SERVER_TOKEN_FILE=… quarry …` keeps the secret out of the
 * registry, the job's command line and its environment dump (genie/logs/env.log), which every
 * authenticated user may read. Undefined when neither is set (a server in auth mode none).
 */
export function serverToken(env: Env = process.env): string | undefined {
  const direct = env.QUARRY_SERVER_TOKEN?.trim();
  if (direct) return direct;
  const file = env.QUARRY_SERVER_TOKEN_FILE?.trim();
  if (!file) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError('QUARRY_SERVER_TOKEN_FILE', `names ${file}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); it must hold an API token on its first line`);
  }
  const token = text.split('\n')[0]!.trim();
  if (!token) throw new ConfigError('QUARRY_SERVER_TOKEN_FILE', `names ${file}, whose first line is empty; it must hold an API token`);
  return token;
}

/** `headers` plus `Authorization: Bearer <token>` when the environment names a token and the caller set none. */
export function withServerToken(headers: Record<string, string> | undefined, env: Env = process.env): Record<string, string> {
  const out = { ...(headers ?? {}) };
  if (Object.keys(out).some((k) => k.toLowerCase() === 'authorization')) return out;
  const token = serverToken(env);
  if (token) out.authorization = `Bearer ${token}`;
  return out;
}
