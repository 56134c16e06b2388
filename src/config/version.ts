import { readFileSync } from 'node:fs';

/** Quarry's version, from package.json; in a module of its own so the CLI can print it without loading the server. */
export const QUARRY_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
