import { CliError } from './cli-error.ts';
import { withServerToken } from '../config/server-token.ts';

/** How the CLI retries a request to a Quarry server that is briefly unable to answer. */
export interface RetryPolicy {
  /**
   * Whether the request may be sent again after a connection failed (refused, reset, timed out):
   * the server may have done the work before the connection broke, so only requests that change
   * nothing (reads, queries) are. A 503 is retried either way: the server says it did not do it.
   */
  idempotent: boolean;
  /** Longest total wait before giving up (default QUARRY_CLI_RETRY_SECONDS, else 60 s). */
  maxWaitMs?: number;
  /** One line per wait (default: to standard error). */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** Backoff when the server names no Retry-After: 0.5 s, doubling, at most this. */
const MAX_BACKOFF_MS = 8_000;
const DEFAULT_MAX_WAIT_MS = 60_000;
/** A Retry-After longer than this is taken as this (a misconfigured server must not park the CLI for hours). */
const MAX_RETRY_AFTER_MS = 30_000;

/** The total wait the environment allows (QUARRY_CLI_RETRY_SECONDS; 0 turns retrying off). */
export function defaultMaxWaitMs(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env.QUARRY_CLI_RETRY_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_MAX_WAIT_MS;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`QUARRY_CLI_RETRY_SECONDS must be a number of seconds, 0 or more (got ${JSON.stringify(raw)})`);
  return seconds * 1000;
}

/**
 * `fetch` for the CLI: a `503` (the server's metadata database is away, or the server is starting) is
 * retried after the server's `Retry-After` (seconds or an HTTP date; else exponential backoff), and a
 * refused or reset connection likewise for an idempotent request, until `maxWaitMs` would be
 * exceeded; then the last answer (or error) is returned (thrown). Every other answer is returned at
 * once. Each wait is announced in one line, so a user sees why the command pauses. The request
 * carries the environment's server token (server-token.ts) unless `init` names an Authorization.
 */
export async function serverRequest(url: string | URL, init: RequestInit, policy: RetryPolicy): Promise<Response> {
  const maxWaitMs = policy.maxWaitMs ?? defaultMaxWaitMs();
  const log = policy.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  let backoff = 500;
  const headers = withServerToken(init.headers as Record<string, string> | undefined);
  for (let attempt = 1; ; attempt++) {
    let response: Response | undefined;
    let failure: unknown;
    try {
      response = await fetch(url, { ...init, headers, signal: policy.signal });
    } catch (error) {
      if (policy.signal?.aborted || !isConnectionFailure(error)) throw error;
      if (!policy.idempotent) throw unreachable(url, error, attempt, Date.now() - started);
      failure = error;
    }
    if (response && response.status !== 503) return response;
    const named = response ? retryAfterMs(response.headers.get('retry-after'), Date.now()) : undefined;
    const waitMs = named === undefined ? backoff : Math.max(100, Math.min(named, MAX_RETRY_AFTER_MS));
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    const spent = Date.now() - started;
    if (spent + waitMs > maxWaitMs) {
      if (response) return response;
      throw unreachable(url, failure, attempt, spent);
    }
    const why = response ? `the server answered 503 (${await reason(response)})` : `cannot reach the server (${describe(failure)})`;
    log(`quarry: ${why}; retrying in ${formatSeconds(waitMs)} (attempt ${attempt + 1}, giving up after ${formatSeconds(maxWaitMs)})`);
    await sleep(waitMs, policy.signal);
  }
}

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Refused, reset or timed-out connections: the request may not have reached the server, or its answer was lost. */
function isConnectionFailure(error: unknown): boolean {
  const codes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && codes.has(code)) return true;
    const nested = (e as { errors?: unknown }).errors;
    if (Array.isArray(nested) && nested.some(isConnectionFailure)) return true;
  }
  return false;
}

function unreachable(url: string | URL, error: unknown, attempts: number, spentMs: number): Error {
  const tries = attempts === 1 ? '' : `; gave up after ${attempts} attempts in ${formatSeconds(spentMs)} (QUARRY_CLI_RETRY_SECONDS sets the limit)`;
  return new CliError(`cannot reach the server at ${new URL(url).origin} (${describe(error)})${tries}; is it running, and is the URL right?`, { cause: error });
}

async function reason(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // not JSON: the status says enough
  }
  return 'service unavailable';
}

function describe(error: unknown): string {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return error instanceof Error ? error.message : String(error);
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
