import type { PartitionInfo, TableInfo } from '../../catalog-model.ts';
import type { ConnectorWrite, PartitionListRequest, TableReadOptions } from '../../connector.ts';

/** The `table_type` parameter value that marks an Iceberg table (compared upper-cased). */
export const ICEBERG_TABLE_TYPE = 'ICEBERG';
/** Table parameters that belong to Iceberg's pointer protocol; on any other table they are a 400. */
export const ICEBERG_POINTER_PARAMS = ['metadata_location', 'previous_metadata_location'] as const;

/**
 * The seam where Iceberg tables plug into the warehouse connector (the Iceberg half of issue 5).
 *
 * An Iceberg table is a catalog_table row like any other (so listing, rename, delete, tags and user
 * metadata work unchanged) whose `metadata.table_type` is ICEBERG and whose state lives in the
 * metadata file named by `metadata.metadata_location`. The connector hands such tables to this
 * interface at the points below; without an implementation, creating or updating an Iceberg table,
 * or listing its partitions, is a 501.
 *
 * Every `write` method runs inside the service's transaction (`write.transaction`): the stored row
 * change, the user metadata and the event commit together. Read the metadata database only through
 * `write.transaction` there (SQLite has one connection; the root handle would wait for the transaction
 * that waits for it). The connector performs the row update itself as a compare-and-swap on the row's
 * version, so a concurrent commit makes one of the two fail (409).
 */
export interface IcebergTableSupport {
  /**
   * Checks a new Iceberg table before its row is inserted (the metadata file exists and parses, …)
   * and returns the table to store: typically with fields read from the metadata file.
   */
  prepareCreate(write: ConnectorWrite, table: TableInfo): Promise<TableInfo>;
  /**
   * Checks an update of an Iceberg table against its stored state — Metacat's commit protocol:
   * `previous_metadata_location` must equal the stored `metadata_location` (else PreconditionError,
   * 412), the new file must exist (else InvalidInputError, 400) — and returns the table to store.
   */
  prepareUpdate(write: ConnectorWrite, stored: TableInfo, requested: TableInfo): Promise<TableInfo>;
  /**
   * Completes a stored Iceberg table for reading: fields from the current metadata file,
   * `current_snapshot_id`, `table_version`, `branches`, and `details.metadata_content` when
   * `options.includeDetails`. With `options.metadataLocationOnly` it may return `stored` unchanged.
   */
  describe(stored: TableInfo, options: TableReadOptions): Promise<TableInfo>;
  /**
   * Partitions from the manifests of the current snapshot, filtered, sorted and paged as the request
   * says. Evaluate the filter with `compilePartitionFilter(request.filter, table.name, keys)` from
   * partition-filter.ts over `partitionFilterRow(values, snapshotTimeMs)` — values as text, a null as
   * `HIVE_DEFAULT_PARTITION` — which has exactly the semantics of the SQL pushdown.
   */
  listPartitions(table: TableInfo, request: PartitionListRequest): Promise<PartitionInfo[]>;
  countPartitions(table: TableInfo): Promise<number>;
}
