import type { ByteRange } from './object-store.ts';

/** Resolves a requested range against an object size to inclusive offsets, or undefined if unsatisfiable. */
export function resolveRange(range: ByteRange, size: number): { start: number; end: number } | undefined {
  if ('suffix' in range) {
    if (range.suffix <= 0 || size === 0) return undefined;
    return { start: Math.max(0, size - range.suffix), end: size - 1 };
  }
  if (range.start < 0 || range.start >= size) return undefined;
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (end < range.start) return undefined;
  return { start: range.start, end };
}
