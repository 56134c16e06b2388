import { readFileSync } from 'node:fs';
import type { ObjectStore } from '../storage/object-store.ts';
import type { EngineName } from './engine-versions.ts';
import type { RegistryClient } from './engine-registry-client.ts';
import { exportLines } from './shell-quote.ts';
import type { IcebergRestAccess } from './spark-catalog-conf.ts';
import type { SparkInstallation } from './spark-installation.ts';
import type { TrinoInstallation } from './trino-installation.ts';

/**
 * Where registration keeps what agents fetch, inside the warehouse's object store (the central
 * location): replacing an object there is how an admin upgrades what every host's next job uses,
 * since the agents' dependency cache refetches an object whose version changed.
 */
export const ENGINES_PREFIX = '_engines';
export const SPARK_RUNTIME_JAR = 'iceberg-spark-runtime.jar';
export const TRINO_CLI_JAR = 'trino-cli.jar';

export const applicationKey = (id: string, file: string) => `${ENGINES_PREFIX}/applications/${id}/${file}`;
export const clusterKey = (id: string, file: string) => `${ENGINES_PREFIX}/clusters/${id}/${file}`;

/** What one engine cluster registration needs. */
export interface EngineRegistration {
  engine: EngineName;
  /** The cluster's name; its id is `<engine>-<name>`. */
  name: string;
  /** Extra cluster tags, e.g. `sched:sla`. `type:<engine>` is always added. */
  tags: readonly string[];
  /** Where this cluster takes work: Spark's master URL, Trino's coordinator URL. */
  address: string;
  iceberg: IcebergRestAccess;
  /** How agents run `quarry` (node and the bin script), the executable of the registered commands. */
  quarryCommand: readonly string[];
  /** Replace the application's binaries in the object store even when they are there already. */
  replaceDependencies?: boolean;
  spark?: SparkInstallation;
  trino?: TrinoInstallation;
}

export interface RegisteredEngine {
  clusterId: string;
  applicationId: string;
  commandIds: string[];
  uploaded: string[];
}

const ADMIN = 'quarry-engines';

/**
 * Registers an engine the Genie way: its application (binaries and setup file in the object store), a
 * cluster `<engine>-<name>` tagged `type:<engine>` plus the given tags whose setup file says where the
 * cluster is, and the commands that run on it — `spark-submit` and `spark-sql`, or `trino` — plus
 * `sql-<engine>`, which answers `sql` jobs routed to this engine's clusters. Idempotent: running it
 * again replaces the records with the same ids. An application's binaries are uploaded only when
 * absent (or with replaceDependencies), so registering a second cluster does not undo an upgrade.
 */
export async function registerEngine(store: ObjectStore, registry: RegistryClient, registration: EngineRegistration): Promise<RegisteredEngine> {
  const uploaded: string[] = [];
  const putOnce = async (key: string, body: Uint8Array | string, always = registration.replaceDependencies ?? false) => {
    if (!always && (await store.head(key))) return store.uriOf(key);
    await store.put(key, body);
    uploaded.push(key);
    return store.uriOf(key);
  };
  const engine = registration.engine;
  const applicationId = engine;
  const clusterId = `${engine}-${registration.name}`;
  const dependencyPath = (file: string) => `"\${GENIE_APPLICATION_DIR}/${applicationId}/dependencies/${file}"`;

  let appSetup: string;
  let dependency: string;
  if (engine === 'spark') {
    const spark = registration.spark;
    if (!spark) throw new Error('registering Spark needs its installation: run quarry engines install spark first');
    dependency = await putOnce(applicationKey(applicationId, SPARK_RUNTIME_JAR), readFileSync(spark.icebergJar));
    appSetup = exportLines({
      SPARK_HOME: spark.sparkHome,
      QUARRY_SPARK_JAVA_HOME: spark.javaHome,
      QUARRY_SPARK_PYTHON: spark.python,
      QUARRY_SPARK_ICEBERG_JAR: dependencyPath(SPARK_RUNTIME_JAR),
    });
  } else {
    const trino = registration.trino;
    if (!trino) throw new Error('registering Trino needs its installation: run quarry engines install trino first');
    dependency = await putOnce(applicationKey(applicationId, TRINO_CLI_JAR), readFileSync(trino.cliJar));
    appSetup = exportLines({ QUARRY_TRINO_JAVA_HOME: trino.javaHome, QUARRY_TRINO_CLI_JAR: dependencyPath(TRINO_CLI_JAR) });
  }
  const appSetupUri = await putOnce(applicationKey(applicationId, 'setup.sh'), `# Written by quarry engines register: where ${engine} is on agent hosts.\n${appSetup}\n`, true);
  const clusterSetupUri = await putOnce(
    clusterKey(clusterId, 'setup.sh'),
    `# Written by quarry engines register: where cluster ${clusterId} takes work.\n${exportLines({
      QUARRY_ENGINE: engine,
      QUARRY_ENGINE_ADDRESS: registration.address,
      QUARRY_ICEBERG_URI: registration.iceberg.uri,
      QUARRY_ICEBERG_TOKEN: registration.iceberg.token,
    })}\n`,
    true,
  );
  const common = { user: ADMIN, version: engine === 'spark' ? registration.spark!.version : registration.trino!.version, configs: [] as string[] };
  await registry.upsert('applications', { ...common, id: applicationId, name: applicationId, status: 'ACTIVE', type: engine, tags: [`type:${engine}`], setupFile: appSetupUri, dependencies: [dependency] });
  await registry.upsert('clusters', {
    ...common,
    id: clusterId,
    name: registration.name,
    status: 'UP',
    tags: [...new Set([`type:${engine}`, ...registration.tags])],
    setupFile: clusterSetupUri,
    dependencies: [],
  });
  const clusterCriteria = [{ tags: [`type:${engine}`] }];
  const commands: Array<{ id: string; tags: string[]; run: string }> =
    engine === 'spark'
      ? [
          { id: 'spark-submit', tags: ['type:spark-submit'], run: 'spark-submit' },
          { id: 'spark-sql', tags: ['type:spark-sql'], run: 'spark-sql' },
          { id: 'sql-spark', tags: ['type:sql', 'engine:spark'], run: 'sql' },
        ]
      : [
          { id: 'trino', tags: ['type:trino'], run: 'trino' },
          { id: 'sql-trino', tags: ['type:sql', 'engine:trino'], run: 'sql' },
        ];
  for (const c of commands) {
    const executable = [...registration.quarryCommand, 'engines', 'exec', c.run, ...(c.run === 'sql' ? ['--format', 'csv', '--output', 'result.csv'] : [])];
    await registry.upsert('commands', { ...common, id: c.id, name: c.id, status: 'ACTIVE', tags: c.tags, executableAndArguments: executable, clusterCriteria, dependencies: [] });
    await registry.setCommandApplications(c.id, [applicationId]);
  }
  return { clusterId, applicationId, commandIds: commands.map((c) => c.id), uploaded };
}
