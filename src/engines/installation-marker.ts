import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const MARKER = '.quarry-installed.json';

/**
 * The record an installer writes last, after every file was fetched and verified: its presence is what
 * makes a second install a no-op, and a folder without it (an interrupted install) is redone.
 */
export function readMarker<T>(folder: string): T | undefined {
  const file = path.join(folder, MARKER);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

export function writeMarker(folder: string, record: unknown): void {
  writeFileSync(path.join(folder, MARKER), JSON.stringify(record, null, 2) + '\n');
}
