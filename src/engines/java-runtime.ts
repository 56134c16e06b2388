import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** A Java installation: its home folder and feature version (17, 25, ...). */
export interface JavaRuntime {
  home: string;
  major: number;
}

/** No Java of the version an engine needs: the message says which were found and what to install. */
export class JavaNotFoundError extends Error {
  constructor(
    readonly engine: string,
    readonly minimum: number,
    readonly found: JavaRuntime[],
  ) {
    const seen = found.length ? found.map((j) => `${j.home} (Java ${j.major})`).join(', ') : 'none';
    super(`${engine} needs a Java ${minimum} or newer; found ${seen}. Install a JDK ${minimum}+ (e.g. Temurin 25) under /usr/lib/jvm or set JAVA_HOME to it`);
  }
}

/** The feature version in a JDK's `release` file (JAVA_VERSION="25.0.1" → 25; "1.8.0" → 8). */
export function javaMajorOf(home: string): number | undefined {
  const release = path.join(home, 'release');
  if (!existsSync(release) || !existsSync(path.join(home, 'bin', 'java'))) return undefined;
  const match = /^JAVA_VERSION="([0-9]+)(?:\.([0-9]+))?/m.exec(readFileSync(release, 'utf8'));
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

/** Every Java found: JAVA_HOME first, then the folders of /usr/lib/jvm (links resolved, duplicates dropped). */
export function installedJavas(env: Readonly<Record<string, string | undefined>> = process.env, roots: readonly string[] = ['/usr/lib/jvm']): JavaRuntime[] {
  const candidates: string[] = [];
  if (env.JAVA_HOME) candidates.push(env.JAVA_HOME);
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root).sort()) candidates.push(path.join(root, name));
  }
  const seen = new Set<string>();
  const found: JavaRuntime[] = [];
  for (const candidate of candidates) {
    let home: string;
    try {
      home = realpathSync(candidate);
    } catch {
      continue;
    }
    if (seen.has(home)) continue;
    seen.add(home);
    const major = javaMajorOf(home);
    if (major !== undefined) found.push({ home, major });
  }
  return found;
}

/**
 * The Java an engine runs on: JAVA_HOME when it is new enough, else the newest under /usr/lib/jvm at
 * or above `minimum` (and at or below `maximum` when given: Spark 4.1 supports 17 and 21 only).
 * Throws JavaNotFoundError naming what was found.
 */
export function findJava(engine: string, minimum: number, maximum = Number.POSITIVE_INFINITY, env: Readonly<Record<string, string | undefined>> = process.env, roots?: readonly string[]): JavaRuntime {
  const all = installedJavas(env, roots);
  const fits = all.filter((j) => j.major >= minimum && j.major <= maximum);
  const fromEnv = env.JAVA_HOME ? fits.find((j) => j.home === realPathOr(env.JAVA_HOME!)) : undefined;
  const chosen = fromEnv ?? fits.sort((a, b) => b.major - a.major)[0];
  if (!chosen) throw new JavaNotFoundError(engine, minimum, all);
  return chosen;
}

function realPathOr(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return folder;
  }
}
