import { statSync } from 'node:fs';
import path from 'node:path';

/** The folder name that marks a Quarry home, as `.git` marks a repository. */
export const HOME_FOLDER_NAME = '.quarry';

/** How the home folder was chosen; `found` and `default` were not set by the user, so commands say which one they use. */
export type HomeSource = 'QUARRY_HOME' | 'config file' | 'found' | 'default';

/**
 * The nearest `.quarry` folder in `cwd` or one of its parents, the way git finds `.git`: a command
 * run anywhere inside a project uses that project's platform, and a `~/.quarry` serves every folder
 * below the user's home that has none of its own. Undefined when no ancestor has one.
 */
export function findHomeAbove(cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, HOME_FOLDER_NAME);
    if (isDirectory(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
