/**
 * The registry's tables (migration 0100): applications, clusters and commands, one table each with
 * the same common columns, a tag table per kind, and the ordered command → application links.
 * Sets of URIs (configs, dependencies), command runtime and cluster criteria are JSON text; tags are
 * rows so that "has all these tags" is one indexed query.
 */

/** Columns every registry resource table has. */
export interface RegistryResourceRow {
  id: string;
  name: string;
  /** `user` is reserved in PostgreSQL. */
  user_name: string;
  version: string;
  description: string | null;
  /** JSON document, or null. */
  metadata: string | null;
  setup_file: string | null;
  /** JSON array of URIs. */
  configs: string;
  /** JSON array of URIs. */
  dependencies: string;
  status: string;
  created: number;
  updated: number;
  /** Incremented by every write; writers compare-and-swap on it. */
  row_version: number;
}

export interface RegistryApplicationTable extends RegistryResourceRow {
  type: string | null;
}

export type RegistryClusterTable = RegistryResourceRow;

export interface RegistryCommandTable extends RegistryResourceRow {
  /** JSON array: the executable and its fixed arguments. */
  executable: string;
  /** JSON object: { resources, images }. */
  runtime: string;
  /** JSON array of criteria, highest priority first. */
  cluster_criteria: string;
}

export interface RegistryTagTable {
  resource_id: string;
  tag: string;
}

export interface RegistryCommandApplicationTable {
  command_id: string;
  /** 0-based order in which the applications are set up. */
  position: number;
  application_id: string;
}

export interface RegistryTables {
  registry_application: RegistryApplicationTable;
  registry_cluster: RegistryClusterTable;
  registry_command: RegistryCommandTable;
  registry_application_tag: RegistryTagTable;
  registry_cluster_tag: RegistryTagTable;
  registry_command_tag: RegistryTagTable;
  registry_command_application: RegistryCommandApplicationTable;
}
