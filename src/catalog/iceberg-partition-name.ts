import type { PartitionSpec, PartitionTuple } from '../table/partition-spec.ts';
import type { Schema } from '../table/schema.ts';
import { humanValue } from '../table/transform.ts';
import { HIVE_DEFAULT_PARTITION } from './filter/filter-ast.ts';
import { makePartitionName } from './partition-name.ts';

/** An Iceberg partition as Metacat names it, with its values by partition field name. */
export interface IcebergPartitionName {
  /** Hive's `field=value/…` over the spec's non-void fields. */
  readonly name: string;
  /** Value text by field name, as Iceberg writes it in paths; a null is the Hive default partition. */
  readonly values: ReadonlyMap<string, string>;
}

/**
 * Metacat's name for the partition of a data file. Listings in /mds/v1 and the partition events of
 * Iceberg commits both use it, so a name read from an event finds the partition in a listing. Unlike
 * Iceberg's own folder names (`PartitionSpec.partitionPath`), void fields are left out, values are
 * Hive-escaped and a null is `__HIVE_DEFAULT_PARTITION__`. Undefined for a spec with no non-void
 * field: data written before a table was partitioned belongs to no partition.
 */
export function icebergPartitionName(schema: Schema, spec: PartitionSpec, partition: PartitionTuple): IcebergPartitionName | undefined {
  const values = new Map<string, string>();
  for (const [i, field] of spec.fields.entries()) {
    if (field.transform.kind === 'void') continue;
    const value = partition[i] ?? null;
    const source = schema.primitiveById(field.sourceId)?.type;
    values.set(field.name, value === null || !source ? HIVE_DEFAULT_PARTITION : humanValue(field.transform, source, value));
  }
  if (values.size === 0) return undefined;
  return { name: makePartitionName([...values.keys()], [...values.values()]), values };
}
