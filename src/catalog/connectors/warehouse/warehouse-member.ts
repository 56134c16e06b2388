import type { Kysely } from 'kysely';
import type { Tables } from '../../../db/tables.ts';
import type { Connector, ConnectorCapabilities } from '../../connector.ts';
import type { QualifiedName } from '../../qualified-name.ts';

/**
 * A connector that is one member of a warehouse catalog (its Hive-style rows, its Iceberg pointers):
 * besides the Connector contract, it says whether it holds a database or table name, reading through
 * `db` when given (the mutation's transaction), so WarehouseConnector can apply the naming rules
 * across members inside that transaction.
 */
export interface WarehouseMember extends Connector {
  hasDatabase(name: QualifiedName, db?: Kysely<Tables>): Promise<boolean>;
  hasTable(name: QualifiedName, db?: Kysely<Tables>): Promise<boolean>;
}

/** Every capability: each member, and the warehouse catalog, can do all a connector can. */
export const EVERY_CAPABILITY: ConnectorCapabilities = {
  createDatabase: true,
  updateDatabase: true,
  deleteDatabase: true,
  createTable: true,
  updateTable: true,
  deleteTable: true,
  renameTable: true,
  listPartitions: true,
  savePartitions: true,
};
