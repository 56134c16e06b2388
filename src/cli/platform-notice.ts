import { existsSync } from 'node:fs';
import path from 'node:path';
import { redact, type QuarryConfig } from '../config/config.ts';
import { CliError } from './cli-error.ts';

/**
 * The line a command prints (on stderr, so its output stays machine-readable) saying which
 * platform it works on when the user did not choose one: a home found above the working directory,
 * or a new one about to be made. Undefined when QUARRY_HOME or a configuration file chose the home.
 */
export function platformNotice(config: QuarryConfig, cwd: string = process.cwd()): string | undefined {
  if (config.homeSource !== 'found' && config.homeSource !== 'default') return undefined;
  const where = config.homeSource === 'found'
    ? `the Quarry home ${config.home} (found ${path.dirname(config.home) === path.resolve(cwd) ? 'here' : `above ${cwd}`})`
    : `a new Quarry home ${config.home} (none in ${cwd} or its parents)`;
  return `quarry: using ${where}: database ${describeDatabase(config)}, warehouse ${config.warehouse}; set QUARRY_HOME to choose another`;
}

/**
 * Stops a command that reads or changes existing tables from making a new, empty platform where
 * the user happens to stand: that is what a typo'd folder or a forgotten QUARRY_HOME looks like.
 * A database named explicitly (QUARRY_DATABASE_URL) needs no home.
 */
export function requireExistingPlatform(config: QuarryConfig, command: string, cwd: string = process.cwd()): void {
  if (config.homeSource !== 'default' || existsSync(config.home)) return;
  if (config.database.kind !== 'sqlite' || path.dirname(config.database.path) !== config.home) return;
  throw new CliError(
    `no Quarry home in ${cwd} or its parents: run ${command} inside the folder where 'quarry server' runs (it keeps its state in .quarry), or set QUARRY_HOME (or QUARRY_DATABASE_URL and QUARRY_WAREHOUSE) to the platform's`,
  );
}

function describeDatabase(config: QuarryConfig): string {
  return config.database.kind === 'sqlite' ? `sqlite:${config.database.path}` : redact(config.database.url);
}
