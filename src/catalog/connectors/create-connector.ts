import type { CatalogConfig } from '../../config/config.ts';
import type { Database } from '../../db/database.ts';
import type { Connector } from '../connector.ts';
import { MysqlSource } from './relational/mysql-source.ts';
import { PostgresSource } from './relational/postgres-source.ts';
import { RelationalConnector } from './relational/relational-connector.ts';
import { SqliteSource } from './relational/sqlite-source.ts';
import type { IcebergTableSupport } from './warehouse/iceberg-table-support.ts';
import { WarehouseConnector } from './warehouse/warehouse-connector.ts';

export interface ConnectorDependencies {
  readonly database: Database;
  /** The warehouse's Iceberg tables, shown in the warehouse catalog it names (`iceberg.catalog`) only. */
  readonly iceberg?: IcebergTableSupport;
}

/** Builds the connector a catalog's configuration names. Remote connectors connect lazily. */
export function createConnector(config: CatalogConfig, dependencies: ConnectorDependencies): Connector {
  switch (config.connector) {
    case 'warehouse':
      return new WarehouseConnector(config.name, dependencies.database, dependencies.iceberg?.catalog === config.name ? dependencies.iceberg : undefined);
    case 'postgresql':
      return new RelationalConnector('postgresql', config, new PostgresSource(config.url!));
    case 'mysql':
      return new RelationalConnector('mysql', config, new MysqlSource(config.url!));
    case 'sqlite':
      return new RelationalConnector('sqlite', config, new SqliteSource(config.path!));
  }
}
