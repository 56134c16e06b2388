/** One `quarry` subcommand. `run` returns the process exit code. */
export interface CliCommand {
  readonly name: string;
  /** One line for `quarry --help`. */
  readonly summary: string;
  /** The full `quarry <name> --help` text. */
  readonly help: string;
  /** Whether the first argument names a subcommand, so error lines name it too (`quarry table append: …`). */
  readonly hasSubcommands?: boolean;
  run(args: string[]): Promise<number>;
}
