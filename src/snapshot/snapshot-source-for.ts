import type { CatalogConfig } from '../config/config.ts';
import { MysqlSource } from '../catalog/connectors/relational/mysql-source.ts';
import { PostgresSource } from '../catalog/connectors/relational/postgres-source.ts';
import type { RelationalSource } from '../catalog/connectors/relational/relational-source.ts';
import { SqliteSource } from '../catalog/connectors/relational/sqlite-source.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { MysqlSnapshotSource } from './mysql-snapshot-source.ts';
import { PostgresSnapshotSource } from './postgres-snapshot-source.ts';
import type { SnapshotSource } from './source-read.ts';
import { SqliteSnapshotSource } from './sqlite-snapshot-source.ts';
import { CassandraSource } from '../catalog/connectors/cassandra/cassandra-source.ts';
import { parseCassandraUrl } from '../catalog/connectors/cassandra/cassandra-url.ts';
import { CassandraSnapshotSource } from './cassandra-snapshot-source.ts';

/** A catalog's schema (what the catalog's connector reads) and its rows (what a snapshot reads). */
export interface SnapshotCatalog {
  readonly schema: RelationalSource;
  readonly rows: SnapshotSource;
}

/** The connector kinds a snapshot can copy from. */
export const SNAPSHOT_CONNECTORS = ['postgresql', 'mysql', 'sqlite', 'cassandra'] as const;

/** The schema and row readers of a configured catalog; throws InvalidInputError for a catalog snapshots cannot read. */
export function snapshotCatalog(config: CatalogConfig): SnapshotCatalog {
  switch (config.connector) {
    case 'postgresql':
      return { schema: new PostgresSource(config.url!), rows: new PostgresSnapshotSource(config.url!) };
    case 'mysql':
      return { schema: new MysqlSource(config.url!), rows: new MysqlSnapshotSource(config.url!) };
    case 'sqlite':
      return { schema: new SqliteSource(config.path!), rows: new SqliteSnapshotSource(config.path!) };
    case 'cassandra': {
      // One driver client serves both the schema and the rows.
      const settings = parseCassandraUrl(config.url!);
      const schema = new CassandraSource(settings, config.name);
      return { schema, rows: new CassandraSnapshotSource(schema, settings) };
    }
    default:
      throw new InvalidInputError(
        `Catalog ${JSON.stringify(config.name)} is a ${config.connector} catalog; a snapshot copies from a ${SNAPSHOT_CONNECTORS.join(', ')} catalog`,
        'catalog',
      );
  }
}
