import { openAuthArea, type AuthArea } from '../auth/auth-area.ts';
import { installationAgentSecret } from '../auth/installation-secret.ts';
import { openCatalogArea, type CatalogArea } from '../catalog/catalog-area.ts';
import { IcebergTables } from '../catalog/connectors/warehouse/iceberg-tables.ts';
import { IcebergRestCatalog } from '../iceberg-rest/iceberg-rest-catalog.ts';
import type { QuarryConfig } from '../config/config.ts';
import { openDatabase, type Database } from '../db/database.ts';
import { openJobsArea, type JobsArea } from '../jobs/jobs-area.ts';
import type { RegistryService } from '../jobs/registry/registry-service.ts';
import { openPipelineArea, type PipelineArea } from '../pipeline/pipeline-area.ts';
import { createJobResolver } from '../jobs/resolution/job-resolver.ts';
import type { DbTablePointerStore } from '../warehouse/db-table-pointer-store.ts';
import { Warehouse } from '../warehouse/warehouse.ts';
import { queryConfigOf } from '../config/query-config.ts';
import { QueryArea } from '../query/query-area.ts';
import { ExperimentsArea } from '../experiments/experiments-area.ts';

/**
 * Everything one server node runs, built from configuration: the composition root. The HTTP app
 * and the CLI receive a Platform; tests build one per store (SQLite, PostgreSQL) the same way.
 */
export interface Platform {
  /** The configuration, with `agentToken` always set: configured, or the installation's generated secret. */
  readonly config: QuarryConfig & { readonly agentToken: string };
  readonly database: Database;
  /** Genie's registry of applications, clusters and commands (the jobs area's). */
  readonly registry: RegistryService;
  /** Jobs: submission, lifecycle, agents, output, leader duties. */
  readonly jobs: JobsArea;
  /** The federated catalog (/mds/v1). */
  readonly catalog: CatalogArea;
  /** The Iceberg REST catalog over the configured warehouse (pointers in `database`, catalog `quarry`). */
  readonly icebergCatalog: IcebergRestCatalog;
  /** The event pipeline: streams, collector, log, sink (/api/pipeline/v1). */
  readonly pipeline: PipelineArea;
  /** SQL over the warehouse's tables (/api/query/v1). */
  readonly query: QueryArea;
  /** Who users and agents are (src/auth). */
  readonly auth: AuthArea;
  /** A/B experiments and their reports (/api/experiments/v1). */
  readonly experiments: ExperimentsArea;
  close(): Promise<void>;
}

/** The user the catalog's events name for warehouse changes whose work names none (an /iceberg/v1 request without `X-Netflix.user.name`). */
const ICEBERG_REST_USER = 'iceberg-rest';

export async function openPlatform(configured: QuarryConfig): Promise<Platform> {
  // The agent API is never open: without a configured secret, the installation's own is used.
  const config: QuarryConfig & { agentToken: string } = { ...configured, agentToken: configured.agentToken ?? installationAgentSecret(configured.home) };
  const database = await openDatabase(config.database);
  let jobs: JobsArea | undefined;
  let catalog: CatalogArea;
  let warehouse: Warehouse<DbTablePointerStore>;
  try {
    jobs = await openJobsArea(config, database, async (registry, clusterLoad) => {
      const resolver = await createJobResolver(config.jobs.resolution, { registry, clusterLoad });
      return (input) => resolver.resolve(input);
    });
    // /mds/v1 records its changes' events itself (CatalogMutations), so it uses the warehouse as opened: recording nothing.
    warehouse = Warehouse.open({ database, warehouse: config.warehouse, allowedLocations: config.warehouseAllowedLocations, s3: config.s3 });
    catalog = openCatalogArea(config, database, { iceberg: new IcebergTables(warehouse) });
  } catch (error) {
    await jobs?.close();
    await database.close();
    throw error;
  }
  const openedJobs = jobs;
  // The REST catalog's commits and the warehouse's other pointer changes land in the catalog's event log.
  const recording = warehouse.recording(catalog.warehouseRecorder(ICEBERG_REST_USER));
  // The pipeline's commits are catalog events too (PARTITION_ADD names the hours that landed).
  const pipeline = await openPipelineArea(config, database, warehouse.recording(catalog.warehouseRecorder('pipeline')));
  const query = new QueryArea(recording, queryConfigOf(config));
  return {
    config,
    database,
    registry: openedJobs.registry,
    jobs: openedJobs,
    catalog,
    icebergCatalog: new IcebergRestCatalog(recording, { s3: config.s3 }),
    pipeline,
    query,
    auth: openAuthArea(config, database),
    experiments: new ExperimentsArea(database, query.engine),
    async close() {
      query.close();
      await pipeline.close();
      await openedJobs.close();
      await catalog.close();
      await database.close();
    },
  };
}
