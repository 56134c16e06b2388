/** How a Spark application reaches Quarry's tables: the Iceberg REST catalog and, when auth is on, a token. */
export interface IcebergRestAccess {
  /** The catalog's base URI, e.g. `http://127.0.0.1:8080/iceberg` (clients append /v1/...). */
  uri: string;
  token?: string;
}

/** The catalog name under which Quarry's tables appear in Spark and Trino (`quarry.db.table`). */
export const ENGINE_CATALOG = 'quarry';

/**
 * Spark settings that make Quarry's catalog Spark's default one, with Iceberg's SQL extensions (MERGE
 * INTO, row-level DELETE/UPDATE) and the runtime jar: `db.table` in a job's SQL names a Quarry table.
 */
export function sparkCatalogConf(access: IcebergRestAccess, icebergJar: string): Array<[string, string]> {
  const prefix = `spark.sql.catalog.${ENGINE_CATALOG}`;
  return [
    ['spark.jars', icebergJar],
    ['spark.sql.extensions', 'org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions'],
    [prefix, 'org.apache.iceberg.spark.SparkCatalog'],
    [`${prefix}.type`, 'rest'],
    [`${prefix}.uri`, access.uri],
    ...(access.token ? ([[`${prefix}.token`, access.token]] as Array<[string, string]>) : []),
    ['spark.sql.defaultCatalog', ENGINE_CATALOG],
    ['spark.sql.session.timeZone', 'UTC'],
  ];
}
