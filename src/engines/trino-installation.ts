import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { EngineCache } from './engine-cache.ts';
import { TRINO } from './engine-versions.ts';
import { runCommand } from './external-command.ts';
import { readMarker, writeMarker } from './installation-marker.ts';
import { findJava } from './java-runtime.ts';
import { fetchMavenArtifact } from './maven-artifact.ts';
import type { Progress } from './progress.ts';

/** An installed Trino: the unpacked server (only Quarry's plugins), the CLI jar and the Java ≥ 24 to run both on. */
export interface TrinoInstallation {
  folder: string;
  serverHome: string;
  cliJar: string;
  javaHome: string;
  version: string;
  plugins: string[];
}

export function trinoFolder(cache: EngineCache): string {
  return cache.installation(`trino-${TRINO.version}`);
}

export function installedTrino(cache: EngineCache): TrinoInstallation | undefined {
  const record = readMarker<TrinoInstallation>(trinoFolder(cache));
  return record && existsSync(path.join(record.serverHome, 'lib')) && existsSync(record.cliJar) ? record : undefined;
}

/**
 * Installs Trino into the cache: trino-server's tar.gz (821 MB) and the trino-cli executable jar from
 * Maven Central, each checked against its published SHA-1; unpacks the server and removes every plugin
 * but iceberg, memory and tpch (896 → ~495 MB), then deletes the tar.gz. Checks first that a Java ≥ 24
 * exists, so a machine without one fails before the download. Idempotent.
 */
export async function installTrino(cache: EngineCache, progress: Progress): Promise<{ installation: TrinoInstallation; alreadyInstalled: boolean }> {
  const existing = installedTrino(cache);
  if (existing) return { installation: existing, alreadyInstalled: true };
  const java = findJava(`Trino ${TRINO.version}`, TRINO.java.minimum);
  progress(`Trino will run on ${java.home} (Java ${java.major})`);
  const folder = trinoFolder(cache);
  mkdirSync(folder, { recursive: true });
  const tarball = await fetchMavenArtifact(cache.mavenRepository, TRINO.server, progress);
  const fetchedCli = await fetchMavenArtifact(cache.mavenRepository, TRINO.cli, progress);
  const serverHome = path.join(folder, 'server');
  rmSync(serverHome, { recursive: true, force: true });
  mkdirSync(serverHome, { recursive: true });
  progress(`unpacking ${path.basename(tarball)} into ${serverHome}`);
  await runCommand('tar', ['-xzf', tarball, '-C', serverHome, '--strip-components=1'], progress);
  const pluginRoot = path.join(serverHome, 'plugin');
  const keep = new Set<string>(TRINO.plugins);
  const removed = readdirSync(pluginRoot).filter((name) => !keep.has(name));
  for (const name of removed) rmSync(path.join(pluginRoot, name), { recursive: true, force: true });
  progress(`kept plugins ${[...keep].join(', ')}; removed ${removed.length} others`);
  const missing = [...keep].filter((name) => !existsSync(path.join(pluginRoot, name)));
  if (missing.length) throw new Error(`the Trino ${TRINO.version} archive has no plugin ${missing.join(', ')}`);
  const cliJar = path.join(folder, path.basename(fetchedCli));
  copyFileSync(fetchedCli, cliJar);
  // The archive is kept only until it is unpacked: 821 MB more on disk buys nothing (its .sha1 stays).
  rmSync(tarball, { force: true });
  const installation: TrinoInstallation = { folder, serverHome, cliJar, javaHome: java.home, version: TRINO.version, plugins: [...keep] };
  writeMarker(folder, installation);
  return { installation, alreadyInstalled: false };
}
