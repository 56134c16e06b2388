import type { ColumnType } from 'kysely';

/**
 * Iceberg table pointers, in PyIceberg's SqlCatalog layout (`iceberg_tables`), so PyIceberg (and the
 * Java JdbcCatalog, which uses the same table) can open Quarry's database as a catalog directly.
 * `version` is Quarry's addition: a counter every swap increments, for change detection; the swap
 * itself compares `metadata_location`, which is what PyIceberg compares too.
 */
export interface IcebergTablesTable {
  catalog_name: string;
  table_namespace: string;
  table_name: string;
  metadata_location: string | null;
  previous_metadata_location: string | null;
  iceberg_type: string | null;
  version: ColumnType<number, number | undefined, number>;
}

/** Namespace properties, in PyIceberg's SqlCatalog layout; a namespace exists while it has a row. */
export interface IcebergNamespacePropertiesTable {
  catalog_name: string;
  namespace: string;
  property_key: string;
  property_value: string;
}

export interface WarehouseTables {
  iceberg_tables: IcebergTablesTable;
  iceberg_namespace_properties: IcebergNamespacePropertiesTable;
}
