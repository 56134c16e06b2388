import type { S3Config } from '../config/config.ts';
import type { IcebergRestAccess } from './spark-catalog-conf.ts';

/**
 * Trino's `etc/catalog/quarry.properties`: the Iceberg connector on Quarry's REST catalog, reading and
 * writing the warehouse's files directly (local folders through Trino's Hadoop file system, S3 through
 * its native S3 client with the warehouse's endpoint and credentials).
 */
export function trinoCatalogProperties(access: IcebergRestAccess, s3: S3Config | undefined): string {
  const lines = [
    'connector.name=iceberg',
    'iceberg.catalog.type=rest',
    `iceberg.rest-catalog.uri=${access.uri}`,
    'iceberg.file-format=PARQUET',
  ];
  if (access.token) lines.push('iceberg.rest-catalog.security=OAUTH2', `iceberg.rest-catalog.oauth2.token=${access.token}`);
  // Quarry records folder locations as file:// URIs, which only Trino's Hadoop file system reads
  // (its native local one wants local://).
  if (!s3) lines.push('fs.hadoop.enabled=true');
  if (s3) {
    lines.push('fs.native-s3.enabled=true', `s3.region=${s3.region}`);
    if (s3.endpoint) lines.push(`s3.endpoint=${s3.endpoint}`);
    if (s3.forcePathStyle) lines.push('s3.path-style-access=true');
    if (s3.accessKeyId) lines.push(`s3.aws-access-key=${s3.accessKeyId}`);
    if (s3.secretAccessKey) lines.push(`s3.aws-secret-key=${s3.secretAccessKey}`);
  }
  return lines.join('\n') + '\n';
}
