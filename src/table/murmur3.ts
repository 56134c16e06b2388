/**
 * 32-bit Murmur3, x86 variant, seed 0: the hash the Iceberg spec (Appendix B) fixes for the bucket
 * transform. `Math.imul` keeps every multiplication in 32-bit two's complement, as the reference does.
 */
export function murmur3x86_32(bytes: Uint8Array): number {
  const length = bytes.length;
  const blocks = length >>> 2;
  let h = 0;
  for (let i = 0; i < blocks; i++) {
    const o = i << 2;
    const k = bytes[o] | (bytes[o + 1] << 8) | (bytes[o + 2] << 16) | (bytes[o + 3] << 24);
    h = mixH(h, mixK(k));
  }
  const rest = length & 3;
  if (rest > 0) {
    const t = blocks << 2;
    let tail = bytes[t];
    if (rest > 1) tail ^= bytes[t + 1] << 8;
    if (rest > 2) tail ^= bytes[t + 2] << 16;
    h ^= mixK(tail);
  }
  return fmix(h ^ length);
}

/** The hash of a long (and of an int, date, time or timestamp widened to one): its 8 little-endian bytes. */
export function murmur3Long(value: bigint): number {
  const low = Number(BigInt.asIntN(32, value));
  const high = Number(BigInt.asIntN(32, value >> 32n));
  return fmix(mixH(mixH(0, mixK(low)), mixK(high)) ^ 8);
}

function mixK(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

function mixH(h: number, k: number): number {
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
