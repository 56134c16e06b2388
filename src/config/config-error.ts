/** A configuration problem, reported as one line that names the setting and what would be valid. */
export class ConfigError extends Error {
  constructor(readonly setting: string, problem: string) {
    super(`Invalid configuration: ${setting} ${problem}`);
    this.name = 'ConfigError';
  }
}
