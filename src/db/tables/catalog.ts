import type { Generated } from 'kysely';

/**
 * The catalog's tables (migration 0401). Names are qualified-name parts as the catalog normalised
 * them; JSON documents are text; timestamps are epoch milliseconds.
 */
export interface CatalogTables {
  /** Databases of catalogs whose connector keeps its state here (the `warehouse` connector). */
  catalog_database: {
    id: Generated<number>;
    catalog: string;
    name: string;
    /** The database's location (Hive's database URI), if any. */
    uri: string | null;
    /** JSON object of string parameters (DatabaseDto.metadata). */
    params: string;
    created_by: string;
    created_at: number;
    updated_by: string;
    updated_at: number;
  };
  catalog_table: {
    id: Generated<number>;
    database_id: number;
    catalog: string;
    database_name: string;
    name: string;
    /** Upper-cased `table_type` parameter (ICEBERG, VIRTUAL_VIEW, …) or null: chooses the table's handler. */
    table_type: string | null;
    /** JSON array of fields (name, type, source_type, partition_key, comment, …) in position order. */
    fields: string;
    /** JSON storage descriptor (StorageDto) or null. */
    serde: string | null;
    /** JSON object of string parameters (TableDto.metadata). */
    params: string;
    /** JSON view definition (ViewDto) or null. */
    view: string | null;
    created_by: string;
    created_at: number;
    updated_by: string;
    updated_at: number;
    /** Incremented on every update; compare-and-swap guard for concurrent writers. */
    version: number;
  };
  catalog_partition: {
    id: Generated<number>;
    table_id: number;
    /** Hive partition name, `k1=v1/k2=v2`, keys in the table's order. */
    name: string;
    uri: string | null;
    /** JSON storage descriptor fields other than the URI, or null. */
    serde: string | null;
    /** JSON object of string parameters, or null. */
    params: string | null;
    created_by: string;
    created_at: number;
    updated_by: string;
    updated_at: number;
  };
  /**
   * One row per partition and key: what filters are pushed down to. The text is never null (a null
   * value is the Hive marker); the number is set when the text spells one.
   */
  catalog_partition_value: {
    partition_id: number;
    table_id: number;
    key_pos: number;
    str_value: string;
    num_value: number | null;
  };
  /** Definition metadata by qualified name (catalog, database, table, partition); survives drops. */
  catalog_definition_metadata: {
    name: string;
    type: string;
    catalog: string;
    /** JSON object. */
    data: string;
    /** `owner.userId` of the document, kept as a column for owner search. */
    owner: string | null;
    created_by: string;
    created_at: number;
    updated_by: string;
    updated_at: number;
  };
  /** Data metadata by data URI. A table drop marks it deleted; a cleanup purges marked rows. */
  catalog_data_metadata: {
    uri: string;
    data: string;
    created_by: string;
    created_at: number;
    updated_by: string;
    updated_at: number;
    deleted_at: number | null;
  };
  catalog_tag: {
    name: string;
    tag: string;
    type: string;
    catalog: string;
    created_by: string;
    created_at: number;
  };
  /** The event log and outbox. `seq` is assigned in commit order (see catalog_event_sequence). */
  catalog_event: {
    seq: number;
    id: string;
    type: string;
    name: string;
    catalog: string;
    /** JSON envelope as delivered. */
    body: string;
    created_at: number;
  };
  /** A single row (id 1) handing out event sequence numbers; its row lock orders concurrent commits. */
  catalog_event_sequence: {
    id: number;
    last_seq: number;
  };
  /** One row per event and webhook until delivered (or given up on). */
  catalog_event_delivery: {
    webhook: string;
    event_seq: number;
    status: 'pending' | 'delivered' | 'failed';
    attempts: number;
    next_attempt_at: number;
    claimed_until: number | null;
    last_error: string | null;
    delivered_at: number | null;
  };
}
