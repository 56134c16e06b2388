import { QUARRY_VERSION } from '../config/version.ts';
import { debugRequested, errorLine, isInternalError } from './cli-error.ts';
import type { CliCommand } from './command.ts';
import { abReportCommand } from './ab-report-command.ts';
import { agentCommand } from './agent-command.ts';
import { demoCommand } from './demo-command.ts';
import { enginesCommand } from './engines-command.ts';
import { pipelineCommand } from './pipeline-command.ts';
import { queryCommand } from './query-command.ts';
import { serverCommand } from './server-command.ts';
import { snapshotCommand } from './snapshot-command.ts';
import { tableCommand } from './table-command.ts';
import { tokenCommand } from './token-command.ts';

const commands: CliCommand[] = [serverCommand, agentCommand, tableCommand, queryCommand, snapshotCommand, pipelineCommand, abReportCommand, demoCommand, tokenCommand, enginesCommand];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return `Usage: quarry <command> [options]

Quarry ${QUARRY_VERSION}: a self-hosted analytics platform — Iceberg tables in an object-store
warehouse, a federated catalog, and jobs routed to clusters by tags.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Options:
  -h, --help      Show this help, or a command's help: quarry <command> --help
  -v, --version   Print the version
  --debug         Print the stack trace of an error (also QUARRY_LOG_LEVEL=debug); without it an
                  error is one line naming what was wrong and what to do

Run 'quarry <command> --help' for a command's options.
`;
}

/** Entry point of the `quarry` command; returns the exit code. */
export async function main(args: string[], env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  const debug = args.includes('--debug') || debugRequested(env);
  const argv = args.filter((arg) => arg !== '--debug');
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(topic ? topic.help : usage());
    return 0;
  }
  if (name === '-v' || name === '--version' || name === 'version') {
    process.stdout.write(`${QUARRY_VERSION}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`quarry: unknown command '${name}'. Run 'quarry --help' for the list.\n`);
    return 2;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`quarry ${name}: ${(error as Error).message}\nRun 'quarry ${name} --help' for its options.\n`);
      return 2;
    }
    const internal = isInternalError(error);
    const label = command.hasSubcommands && rest[0] && !rest[0].startsWith('-') ? `${name} ${rest[0]}` : name;
    process.stderr.write(`quarry ${label}: ${errorLine(error)}${internal && !debug ? ' (run again with --debug for the stack trace)' : ''}\n`);
    if (debug) process.stderr.write(`${stackOf(error)}\n`);
    return 1;
  }
}


/** The stack of an error and of the errors it wraps (a CliError keeps DuckDB's as its cause). */
function stackOf(error: unknown): string {
  const own = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const cause = error instanceof Error ? error.cause : undefined;
  return cause === undefined ? own : `${own}\nCaused by: ${stackOf(cause)}`;
}
