import type { CatalogConfig } from '../../config/config.ts';
import type { Database } from '../../db/database.ts';
import type { Connector } from '../connector.ts';
import type { IcebergTableSupport } from './warehouse/iceberg-table-support.ts';
import { WarehouseConnector } from './warehouse/warehouse-connector.ts';

export interface ConnectorDependencies {
  readonly database: Database;
  /** Given to every warehouse catalog once the Iceberg half provides it. */
  readonly iceberg?: IcebergTableSupport;
}

/** Builds the connector a catalog's configuration names. Remote connectors connect lazily. */
export function createConnector(config: CatalogConfig, dependencies: ConnectorDependencies): Connector {
  switch (config.connector) {
    case 'warehouse':
      return new WarehouseConnector(config.name, dependencies.database, dependencies.iceberg);
    default:
      throw new Error(`connector ${config.connector} is not built yet`);
  }
}
