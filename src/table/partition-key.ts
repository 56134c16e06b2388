import type { PartitionTuple } from './partition-spec.ts';

/** A string identifying one partition of one spec, for grouping files by partition in maps. */
export function partitionKey(specId: number, partition: PartitionTuple): string {
  return `${specId}:${JSON.stringify(partition, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}`;
}
