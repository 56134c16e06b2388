import { EngineUsageError } from './engine-usage-error.ts';

/**
 * What a job on an engine cluster learns from the setup files registration wrote: the cluster's
 * (QUARRY_ENGINE, QUARRY_ENGINE_ADDRESS, QUARRY_ICEBERG_URI, QUARRY_ICEBERG_TOKEN) and the
 * application's (Spark: SPARK_HOME, QUARRY_SPARK_JAVA_HOME, QUARRY_SPARK_PYTHON, QUARRY_SPARK_ICEBERG_JAR; Trino:
 * QUARRY_TRINO_JAVA_HOME, QUARRY_TRINO_CLI_JAR).
 */
export interface EngineJobEnvironment {
  engine: 'spark' | 'trino';
  address: string;
  iceberg: { uri: string; token?: string };
  spark?: { sparkHome: string; javaHome: string; python: string; icebergJar: string };
  trino?: { javaHome: string; cliJar: string };
}

export function engineJobEnvironment(env: Readonly<Record<string, string | undefined>>): EngineJobEnvironment {
  const need = (name: string, from: string) => {
    const value = env[name];
    if (!value) throw new EngineUsageError(`${name} is not set: run this as a job on a cluster registered by quarry engines register (its ${from} setup file sets it)`);
    return value;
  };
  const engine = need('QUARRY_ENGINE', 'cluster');
  if (engine !== 'spark' && engine !== 'trino') throw new EngineUsageError(`QUARRY_ENGINE must be spark or trino (got ${JSON.stringify(engine)})`);
  const base = { engine, address: need('QUARRY_ENGINE_ADDRESS', 'cluster'), iceberg: { uri: need('QUARRY_ICEBERG_URI', 'cluster'), token: env.QUARRY_ICEBERG_TOKEN || undefined } } as const;
  if (engine === 'spark') return { ...base, spark: { sparkHome: need('SPARK_HOME', 'application'), javaHome: need('QUARRY_SPARK_JAVA_HOME', 'application'), python: need('QUARRY_SPARK_PYTHON', 'application'), icebergJar: need('QUARRY_SPARK_ICEBERG_JAR', 'application') } };
  return { ...base, trino: { javaHome: need('QUARRY_TRINO_JAVA_HOME', 'application'), cliJar: need('QUARRY_TRINO_CLI_JAR', 'application') } };
}
