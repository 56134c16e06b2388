import type { PartitionField } from '../../../table/partition-spec.ts';
import type { PrimitiveType } from '../../../table/iceberg-type.ts';
import { currentSchema, defaultSpec, specById, type TableMetadata } from '../../../table/table-metadata.ts';
import { StaticTableOperations, type TableState } from '../../../table/table-operations.ts';
import { Table } from '../../../table/table.ts';
import type { Transform } from '../../../table/transform.ts';
import type { FileIO } from '../../../table/file-io.ts';
import type { FieldInfo, PartitionInfo } from '../../catalog-model.ts';
import type { PartitionListRequest, PartitionSortField } from '../../connector.ts';
import { HIVE_DEFAULT_PARTITION } from '../../filter/filter-ast.ts';
import { compareCodePoints } from '../../filter/numeric-value.ts';
import { compilePartitionFilter, partitionFilterRow } from '../../partition-filter.ts';
import { icebergPartitionName } from '../../iceberg-partition-name.ts';
import type { QualifiedName } from '../../qualified-name.ts';
import { metacatType } from './iceberg-table-info.ts';

/** One partition of an Iceberg table as the catalog lists it. */
export interface IcebergPartition {
  readonly name: string;
  /** Key values in key order, as filter text; a null (or a key the partition's spec lacks) is the Hive marker. */
  readonly values: readonly string[];
  /** When a file was last added to the partition (its snapshot's time), epoch ms. */
  readonly snapshotMs: number;
  readonly uri: string;
  readonly files: number;
  readonly records: number;
  readonly bytes: number;
}

/**
 * Lists the partitions of an Iceberg table's current snapshot (as `readIcebergPartitions` read them,
 * never changed here: the list may be shared) in Metacat's form: the name is Hive's `field=value/…`
 * over the non-void partition fields (values as Iceberg writes them in paths: `ts_day=2024-01-05`,
 * see `icebergPartitionName`), the URI is Metacat's synthetic
 * `<scheme>://<db>.<table>/<name>/snapshot_time=<epoch s>`, and `dateCreated` is the time of the
 * snapshot that last added a file to the partition. The partition filter binds to the default
 * spec's field names and is evaluated exactly as for Hive partitions (`compilePartitionFilter`).
 * An unpartitioned table has no partitions.
 */
export function listIcebergPartitions(all: readonly IcebergPartition[], md: TableMetadata, table: QualifiedName, request: PartitionListRequest): PartitionInfo[] {
  const keys = partitionKeys(md);
  const matches = request.filter ? compilePartitionFilter(request.filter, table, keys) : undefined;
  const names = request.names ? new Set(request.names) : undefined;
  const selected = all.filter((p) => (!names || names.has(p.name)) && (!matches || matches(partitionFilterRow(p.values, p.snapshotMs))));
  selected.sort(comparator(request.sortBy ?? 'name', request.sortOrder ?? 'ASC'));
  const offset = request.offset ?? 0;
  const end = request.limit === undefined ? undefined : offset + request.limit;
  return selected.slice(offset, end).map((p) => ({
    name: table.withPartition(p.name),
    serde: { uri: p.uri },
    metadata: { numFiles: String(p.files), numRows: String(p.records), totalSize: String(p.bytes) },
    audit: { createdDate: p.snapshotMs, lastModifiedDate: p.snapshotMs },
  }));
}

/**
 * The filter's variables: the default spec's non-void fields, typed as their path values read —
 * numeric for bucket and year (and identity/truncate of numbers), text otherwise.
 */
function partitionKeys(md: TableMetadata): FieldInfo[] {
  const schema = currentSchema(md);
  return visibleFields(defaultSpec(md).fields).map((field, pos) => {
    const source = schema.primitiveById(field.sourceId)?.type;
    return { name: field.name, type: keyType(field.transform, source), partition_key: true, pos };
  });
}

function keyType(transform: Transform, source: PrimitiveType | undefined): string {
  switch (transform.kind) {
    case 'bucket':
    case 'year':
      return 'int';
    case 'month':
    case 'hour':
      return 'string';
    case 'day':
      return 'date';
    default:
      return source ? metacatType(source) : 'string';
  }
}

function visibleFields(fields: readonly PartitionField[]): PartitionField[] {
  return fields.filter((f) => f.transform.kind !== 'void');
}

/**
 * Every partition of the current snapshot, read from its manifests: the costly part of a listing,
 * and the same for every request against one metadata file (see SnapshotPartitionCache).
 */
export async function readIcebergPartitions(state: TableState, io: FileIO, table: QualifiedName): Promise<IcebergPartition[]> {
  const md = state.metadata;
  const keys = partitionKeys(md);
  const schema = currentSchema(md);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(md.location)?.[1] ?? 'file';
  const snapshotTime = new Map(md.snapshots.map((s) => [s.snapshotId, s.timestampMs]));
  const out: IcebergPartition[] = [];
  for (const p of await new Table(new StaticTableOperations(state.metadataLocation, io, state)).partitions()) {
    const named = icebergPartitionName(schema, specById(md, p.specId), p.partition);
    if (!named) continue;
    const { name, values: byName } = named;
    const snapshotMs = snapshotTime.get(p.lastAddedSnapshotId) ?? md.lastUpdatedMs;
    out.push({
      name,
      values: keys.map((key) => byName.get(key.name) ?? HIVE_DEFAULT_PARTITION),
      snapshotMs,
      uri: `${scheme}://${table.databaseName}.${table.tableName}/${name}/snapshot_time=${Math.trunc(snapshotMs / 1000)}`,
      files: p.files,
      records: p.records,
      bytes: p.bytes,
    });
  }
  return out;
}

function comparator(sortBy: PartitionSortField, order: 'ASC' | 'DESC'): (a: IcebergPartition, b: IcebergPartition) => number {
  const sign = order === 'DESC' ? -1 : 1;
  const primary = (a: IcebergPartition, b: IcebergPartition): number => {
    switch (sortBy) {
      case 'createdDate':
      case 'lastModifiedDate':
        return a.snapshotMs - b.snapshotMs;
      case 'uri':
        return compareCodePoints(a.uri, b.uri);
      case 'name':
        return 0;
    }
  };
  return (a, b) => sign * (primary(a, b) || compareCodePoints(a.name, b.name));
}
