import { ConfigError } from '../config/config-error.ts';
import { isQuarryError } from '../errors/quarry-error.ts';

/**
 * An error whose message is already the one line a user should read: it names their input and
 * what would be right. The CLI prints it as is, without a stack trace.
 */
export class CliError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CliError';
  }
}

// DuckDB prefixes each message with its error class ("IO Error: …", "Conversion Error: …") and
// may append the SQL it ran after a blank line ("LINE 1: SELECT …"); users only wrote a file.
const DUCKDB_MESSAGE = /^[A-Z][A-Za-z ]* Error: /;

/** Whether an error comes from DuckDB (its message names its error class). */
export function isDuckDbError(error: unknown): error is Error {
  return error instanceof Error && DUCKDB_MESSAGE.test(error.message);
}

/** DuckDB's message without its error class, and without the SQL text and caret it appends. */
export function duckDbProblem(error: Error): string {
  return error.message.split(/\n\s*\n|\nLINE \d+:/)[0].replace(DUCKDB_MESSAGE, '').trim();
}

/**
 * The one line `quarry` prints for an error, without the stack. Errors written for users keep
 * their message; system errors (a busy port, a refused connection) say what to do; anything else
 * is shown by its first line (see isInternalError).
 */
export function errorLine(error: unknown): string {
  if (error instanceof CliError || error instanceof ConfigError || isQuarryError(error)) return firstLine(error.message);
  const system = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (system?.code === 'EADDRINUSE') {
    const where = system.address !== undefined && system.port !== undefined ? `${system.address}:${system.port}` : 'the address';
    return `${where} is already in use by another process: stop it, or choose another port (--port N or QUARRY_PORT)`;
  }
  if (system?.code === 'EACCES' && system.syscall === 'listen') {
    return `not allowed to listen on ${system.address ?? 'that address'}:${system.port ?? ''}: ports below 1024 need privileges; choose another (--port N or QUARRY_PORT)`;
  }
  if (system?.code === 'ECONNREFUSED') return `${firstLine(system.message)}: nothing listens there; check that the service runs and that its address (QUARRY_DATABASE_URL, QUARRY_S3_ENDPOINT) is right`;
  if (isDuckDbError(error)) return duckDbProblem(error);
  return firstLine(error instanceof Error ? error.message : String(error));
}

/** Whether an error is a failure of Quarry itself rather than of the user's input or machine: its stack helps a bug report. */
export function isInternalError(error: unknown): boolean {
  if (error instanceof CliError || error instanceof ConfigError || isQuarryError(error) || isDuckDbError(error)) return false;
  return typeof (error as NodeJS.ErrnoException)?.code !== 'string';
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

/** Whether the user asked for stack traces: `--debug`, or QUARRY_LOG_LEVEL debug/trace. */
export function debugRequested(env: Readonly<Record<string, string | undefined>>): boolean {
  const level = env.QUARRY_LOG_LEVEL?.trim();
  return level === 'debug' || level === 'trace';
}
