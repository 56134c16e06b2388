import type { CatalogTables } from './tables/catalog.ts';

/**
 * The metadata database's tables as Kysely sees them. Each area declares its tables in
 * `tables/<area>.ts` and adds them here, beside the migration that creates them.
 *
 * Conventions that hold on both SQLite and PostgreSQL:
 * - timestamps are epoch milliseconds in `bigint` columns (numbers in JS);
 * - JSON documents are `text` columns, parsed by the owning repository;
 * - booleans are `integer` 0/1;
 * - 64-bit identifiers that can exceed 2^53 (Iceberg snapshot ids) are stored as `text`.
 */
import type { AuthTables } from './tables/auth.ts';
import type { ExperimentsTables } from './tables/experiments.ts';
import type { JobsTables } from './tables/jobs.ts';
import type { PipelineTables } from './tables/pipeline.ts';
import type { RegistryTables } from './tables/registry.ts';
import type { WarehouseTables } from './tables/warehouse.ts';

// Each area declares its tables in tables/<area>.ts and adds them to the extends list.
export interface Tables extends RegistryTables, JobsTables, WarehouseTables, CatalogTables, PipelineTables, AuthTables, ExperimentsTables {}
