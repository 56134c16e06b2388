import { QUARRY_VERSION } from '../config/version.ts';
import type { CliCommand } from './command.ts';
import { agentCommand } from './agent-command.ts';
import { serverCommand } from './server-command.ts';
import { tableCommand } from './table-command.ts';
import { tokenCommand } from './token-command.ts';

const commands: CliCommand[] = [serverCommand, agentCommand, tableCommand, tokenCommand];

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

Run 'quarry <command> --help' for a command's options.
`;
}

/** Entry point of the `quarry` command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
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
    process.stderr.write(`quarry ${name}: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

