/**
 * The engine releases Quarry installs and has tested against its Iceberg REST catalog. Pinned: an
 * upgrade is a deliberate change here, with the interop tests run again.
 */
export const SPARK = {
  pyspark: '4.1.4',
  py4j: '0.10.9.9',
  icebergRuntime: { group: 'org.apache.iceberg', artifact: 'iceberg-spark-runtime-4.1_2.13', version: '1.12.0', type: 'jar' },
  /** Spark 4.1 runs on Java 17 and 21 only. */
  java: { minimum: 17, maximum: 21 },
} as const;

export const TRINO = {
  version: '476',
  server: { group: 'io.trino', artifact: 'trino-server', version: '476', type: 'tar.gz' },
  cli: { group: 'io.trino', artifact: 'trino-cli', version: '476', type: 'jar', classifier: 'executable' },
  /** The connectors Quarry uses; the other ~40 plugins (400 MB) are removed after unpacking. */
  plugins: ['iceberg', 'memory', 'tpch'],
  java: { minimum: 24 },
} as const;

export type EngineName = 'spark' | 'trino';
export const ENGINE_NAMES: readonly EngineName[] = ['spark', 'trino'];
