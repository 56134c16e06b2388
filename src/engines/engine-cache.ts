import path from 'node:path';

/**
 * Where engines are installed and where their local clusters keep state. One folder shared by every
 * Quarry home on a host when QUARRY_ENGINES_CACHE is set (Spark is ~450 MB, Trino ~500 MB), else
 * `$QUARRY_HOME/engines`.
 */
export interface EngineCache {
  root: string;
  /** The installation folder of one engine version, e.g. `spark-4.1.4`. */
  installation(name: string): string;
  /** The run folder of one local cluster (pid files, ports, logs, data). */
  run(engine: string, cluster: string): string;
  /** Maven's local repository for artifacts fetched from Maven Central (with their .sha1 beside them). */
  mavenRepository: string;
}

export function engineCache(home: string, env: Readonly<Record<string, string | undefined>> = process.env): EngineCache {
  const root = path.resolve(env.QUARRY_ENGINES_CACHE?.trim() || path.join(home, 'engines'));
  return {
    root,
    installation: (name) => path.join(root, name),
    run: (engine, cluster) => path.join(root, 'run', `${engine}-${cluster}`),
    mavenRepository: path.join(root, 'maven-repository'),
  };
}
