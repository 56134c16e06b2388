import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Progress } from './progress.ts';

/** A Maven coordinate: group, artifact, version, packaging and an optional classifier. */
export interface MavenCoordinate {
  group: string;
  artifact: string;
  version: string;
  type: string;
  classifier?: string;
}

/** A fetched file whose SHA-1 did not match the `.sha1` Maven Central publishes beside it. */
export class ChecksumMismatchError extends Error {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${file}: SHA-1 ${actual} does not match the published ${expected}; delete it and install again`);
  }
}

export const coordinateText = (c: MavenCoordinate): string => [c.group, c.artifact, c.version, c.type, ...(c.classifier ? [c.classifier] : [])].join(':');

/** The file of a coordinate in a Maven local repository (Maven's own layout). */
export function artifactPath(repository: string, c: MavenCoordinate): string {
  const name = `${c.artifact}-${c.version}${c.classifier ? `-${c.classifier}` : ''}.${c.type}`;
  return path.join(repository, ...c.group.split('.'), c.artifact, c.version, name);
}

export async function sha1Of(file: string): Promise<string> {
  const hash = createHash('sha1');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Checks a file against the `.sha1` Maven stored beside it (the checksum the repository publishes).
 * Throws ChecksumMismatchError, or an Error when there is no `.sha1` to check against.
 */
export async function verifySha1(file: string): Promise<string> {
  const sidecar = `${file}.sha1`;
  if (!existsSync(sidecar)) throw new Error(`${file} has no ${path.basename(sidecar)} beside it to verify against; delete the folder and install again`);
  const expected = readFileSync(sidecar, 'utf8').trim().split(/\s+/)[0]!.toLowerCase();
  const actual = await sha1Of(file);
  if (actual !== expected) throw new ChecksumMismatchError(file, expected, actual);
  return actual;
}

/**
 * Fetches one artifact from Maven Central with `mvn dependency:get` into `repository` (strict
 * checksums: Maven refuses a download whose published SHA-1 differs), then verifies the file against
 * the `.sha1` itself, so a file left from an interrupted or tampered run is caught too. Maven's own
 * download progress goes to `progress`. Answers the file's path. Needs `mvn` on PATH.
 */
export async function fetchMavenArtifact(repository: string, c: MavenCoordinate, progress: Progress): Promise<string> {
  const file = artifactPath(repository, c);
  if (!existsSync(file)) {
    progress(`fetching ${coordinateText(c)} with Maven into ${repository}`);
    // Batch mode prints no byte counts: report the growing partial file instead, every 10 s.
    const started = Date.now();
    const timer = setInterval(() => {
      const part = `${file}.part`;
      if (existsSync(part)) progress(`${path.basename(file)}: ${(statSync(part).size / 1e6).toFixed(0)} MB after ${Math.round((Date.now() - started) / 1000)} s`);
    }, 10_000);
    try {
      await runMaven(['-B', '-C', `-Dmaven.repo.local=${repository}`, 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get', `-Dartifact=${coordinateText(c)}`, '-Dtransitive=false'], progress, c.artifact);
    } finally {
      clearInterval(timer);
    }
    if (!existsSync(file)) throw new Error(`Maven finished but ${file} is missing; is ${coordinateText(c)} served by Maven Central?`);
  }
  progress(`verifying ${path.basename(file)} against its published SHA-1`);
  await verifySha1(file);
  return file;
}

/** Runs mvn; passes on the lines about `artifact` (Maven's own plugins download too) and errors. */
function runMaven(args: string[], progress: Progress, artifact: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const onLine = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if ((/Download(ing|ed) from/.test(line) && line.includes(artifact)) || /ERROR/.test(line)) progress(line.trim());
    };
    child.stdout.on('data', onLine);
    child.stderr.on('data', onLine);
    child.on('error', (error) => reject(new Error(`cannot run mvn (${error.message}); install Maven (Debian: apt-get install maven)`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mvn ${args.at(-2)} failed with exit code ${String(code)}:\n${tail}`))));
  });
}
