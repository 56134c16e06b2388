import { InvalidInputError } from '../errors/invalid-input-error.ts';

/**
 * A 64-bit integer as it arrives in a request body: bodies are parsed losslessly, so values past
 * 2^53 (snapshot ids) are bigints and smaller ones numbers.
 */
export type Int64 = number | bigint;

export function toInt64(value: unknown, field: string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new InvalidInputError(`Field '${field}' must be a 64-bit integer (got ${JSON.stringify(typeof value === 'bigint' ? String(value) : value)})`, field);
}
