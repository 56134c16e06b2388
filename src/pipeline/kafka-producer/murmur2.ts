/**
 * Java Kafka's murmur2 of a key's UTF-8 bytes (org.apache.kafka.common.utils.Utils.murmur2), in 32-bit
 * integer arithmetic. Why our own: the client's version works in BigInt per byte, which was a large
 * part of producing a keyed event. Contract: equals the Java client's hash for every string.
 */
export function murmur2(key: string): number {
  let ascii = true;
  for (let i = 0; i < key.length; i++) {
    if (key.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (!ascii) return murmur2Bytes(Buffer.from(key, 'utf8'));
  return murmur2Of(key.length, (i) => key.charCodeAt(i));
}

export function murmur2Bytes(bytes: Uint8Array): number {
  return murmur2Of(bytes.length, (i) => bytes[i]);
}

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

function murmur2Of(length: number, byteAt: (i: number) => number): number {
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = byteAt(i) | (byteAt(i + 1) << 8) | (byteAt(i + 2) << 16) | (byteAt(i + 3) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & 3;
  if (tail === 3) h ^= byteAt(whole + 2) << 16;
  if (tail >= 2) h ^= byteAt(whole + 1) << 8;
  if (tail >= 1) {
    h ^= byteAt(whole);
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition the Java client's default partitioner gives a keyed record: toPositive(murmur2) % partitions. */
export function partitionForKafkaKey(key: string, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
