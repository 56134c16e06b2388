import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EngineCache } from './engine-cache.ts';
import { SPARK } from './engine-versions.ts';
import { captureCommand, runCommand } from './external-command.ts';
import { readMarker, writeMarker } from './installation-marker.ts';
import { findJava } from './java-runtime.ts';
import { fetchMavenArtifact } from './maven-artifact.ts';
import type { Progress } from './progress.ts';

/** An installed Spark: pyspark's SPARK_HOME, the python that has it, the Iceberg runtime jar and the Java to run on. */
export interface SparkInstallation {
  folder: string;
  sparkHome: string;
  python: string;
  icebergJar: string;
  javaHome: string;
  version: string;
}

/** pyspark's distribution and its one dependency, pinned with the SHA-256 PyPI publishes for them. */
const REQUIREMENTS = (hashes: Readonly<Record<string, string>>) =>
  `pyspark==${SPARK.pyspark} --hash=sha256:${hashes.pyspark}\npy4j==${SPARK.py4j} --hash=sha256:${hashes.py4j}\n`;

export const PYPI_SHA256: Readonly<Record<string, string>> = {
  pyspark: 'bcbd5e18690cf79d438e97210ad06fb8d451a251bb77becc2b0418868d2acd73',
  py4j: 'c7c26e4158defb37b0bb124933163641a2ff6e3a3913f7811b0ddbe07ed61533',
};

export function sparkFolder(cache: EngineCache): string {
  return cache.installation(`spark-${SPARK.pyspark}`);
}

/** The installation in the cache, or undefined when it is missing or incomplete. */
export function installedSpark(cache: EngineCache): SparkInstallation | undefined {
  const record = readMarker<SparkInstallation>(sparkFolder(cache));
  return record && existsSync(record.python) && existsSync(record.icebergJar) ? record : undefined;
}

/**
 * Installs Spark into the cache: pyspark into its own virtual environment (pip checks each file
 * against the pinned SHA-256, --require-hashes) and the iceberg-spark-runtime jar from Maven Central
 * (checked against its published SHA-1). Idempotent: a complete installation is answered as is.
 */
export async function installSpark(cache: EngineCache, progress: Progress): Promise<{ installation: SparkInstallation; alreadyInstalled: boolean }> {
  const existing = installedSpark(cache);
  if (existing) return { installation: existing, alreadyInstalled: true };
  const java = findJava('Spark 4.1', SPARK.java.minimum, SPARK.java.maximum);
  const folder = sparkFolder(cache);
  const venv = path.join(folder, 'venv');
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  progress(`creating a Python virtual environment in ${venv}`);
  await runCommand('python3', ['-m', 'venv', venv], progress);
  const python = path.join(venv, 'bin', 'python');
  const requirements = path.join(folder, 'requirements.txt');
  writeFileSync(requirements, REQUIREMENTS(PYPI_SHA256));
  progress(`installing pyspark ${SPARK.pyspark} with pip (hashes required; ~400 MB on a cold cache)`);
  await runCommand(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '--progress-bar', 'off', '--require-hashes', '-r', requirements], progress);
  const fetched = await fetchMavenArtifact(cache.mavenRepository, SPARK.icebergRuntime, progress);
  const jars = path.join(folder, 'jars');
  mkdirSync(jars, { recursive: true });
  const icebergJar = path.join(jars, path.basename(fetched));
  copyFileSync(fetched, icebergJar);
  const site = (await captureCommand(python, ['-c', 'import pyspark, os; print(os.path.dirname(pyspark.__file__))'])).trim();
  const installation: SparkInstallation = { folder, sparkHome: site, python, icebergJar, javaHome: java.home, version: SPARK.pyspark };
  writeMarker(folder, installation);
  return { installation, alreadyInstalled: false };
}
