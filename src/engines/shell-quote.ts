/** A value as one single-quoted shell word (setup files are sourced by bash on agent hosts). */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `export NAME=value` lines; a value starting with `$GENIE_` is left to expand on the agent host. */
export function exportLines(variables: Readonly<Record<string, string | undefined>>): string {
  return Object.entries(variables)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `export ${name}=${value.startsWith('"${GENIE_') ? value : shellQuote(value)}`)
    .join('\n');
}
