import type { CatalogConfig } from '../../config/config.ts';
import type { Database } from '../../db/database.ts';
import type { Connector } from '../connector.ts';
import { MysqlSource } from './relational/mysql-source.ts';
import { PostgresSource } from './relational/postgres-source.ts';
import { RelationalConnector } from './relational/relational-connector.ts';
import { SqliteSource } from './relational/sqlite-source.ts';
import { CassandraSource } from './cassandra/cassandra-source.ts';
import { parseCassandraUrl } from './cassandra/cassandra-url.ts';
import { HiveTableConnector } from './warehouse/hive-table-connector.ts';
import { IcebergTableConnector } from './warehouse/iceberg-table-connector.ts';
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
    case 'warehouse': {
      // The catalog the warehouse's Iceberg tables belong to shows them beside its Hive-style tables.
      const hive = new HiveTableConnector(config.name, dependencies.database);
      const iceberg = dependencies.iceberg?.catalog === config.name ? dependencies.iceberg : undefined;
      return iceberg ? new WarehouseConnector(config.name, hive, new IcebergTableConnector(iceberg)) : hive;
    }
    case 'postgresql':
      return new RelationalConnector('postgresql', config, new PostgresSource(config.url!));
    case 'mysql':
      return new RelationalConnector('mysql', config, new MysqlSource(config.url!));
    case 'sqlite':
      return new RelationalConnector('sqlite', config, new SqliteSource(config.path!));
    case 'cassandra':
      return new RelationalConnector('cassandra', config, new CassandraSource(parseCassandraUrl(config.url!), config.name));
  }
}
