import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { decimalBytes, primitiveToString, type PrimitiveType } from './iceberg-type.ts';

/**
 * A value in Iceberg's internal representation, the one bounds, partition tuples and transforms use:
 * boolean; int and date (days from 1970-01-01) as number; long, time (µs from midnight), timestamp and
 * timestamptz (µs from the epoch) and decimal (the unscaled integer) as bigint; float and double as
 * number; string and uuid (lowercase canonical form) as string; fixed and binary as Uint8Array.
 */
export type IcebergValue = boolean | number | bigint | string | Uint8Array;

const MICROS_PER_DAY = 86_400_000_000n;
const DATE_RE = /^(-?\d{4,})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const TS_RE = /^(-?\d{4,}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Converts a value a user wrote (a filter literal, a JSON row value) to the internal representation
 * of `type`. `where` names the input in the error when the value does not fit.
 */
export function toIcebergValue(type: PrimitiveType, value: unknown, where: string): IcebergValue {
  const fail = (): never => {
    throw new InvalidInputError(`${where}: ${JSON.stringify(typeof value === 'bigint' ? value.toString() : value)} is not a valid ${primitiveToString(type)} value`, where);
  };
  switch (type.kind) {
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return fail();
    case 'int': {
      const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : typeof value === 'bigint' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) return fail();
      return n;
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz': {
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isSafeInteger(value) && type.kind === 'long') return BigInt(value);
      if (typeof value === 'string' && type.kind === 'long' && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
      if (value instanceof Date && type.kind !== 'long' && type.kind !== 'time') return BigInt(value.getTime()) * 1000n;
      if (typeof value === 'string' && type.kind === 'time') return parseTime(value) ?? fail();
      if (typeof value === 'string' && (type.kind === 'timestamp' || type.kind === 'timestamptz')) {
        return parseTimestamp(value, type.kind === 'timestamptz') ?? fail();
      }
      return fail();
    }
    case 'date':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (value instanceof Date) return Math.floor(value.getTime() / 86_400_000);
      if (typeof value === 'string') return parseDate(value) ?? fail();
      return fail();
    case 'float':
    case 'double': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || Number.isNaN(n)) return fail();
      return type.kind === 'float' ? Math.fround(n) : n;
    }
    case 'decimal': {
      const text = typeof value === 'number' || typeof value === 'bigint' ? value.toString() : typeof value === 'string' ? value.trim() : '';
      const unscaled = parseDecimal(text, type.scale);
      if (unscaled === undefined || (unscaled < 0n ? -unscaled : unscaled) >= 10n ** BigInt(type.precision)) return fail();
      return unscaled;
    }
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
      return fail();
    case 'uuid':
      if (typeof value === 'string' && UUID_RE.test(value)) return value.toLowerCase();
      return fail();
    case 'fixed':
    case 'binary': {
      const bytes = value instanceof Uint8Array ? value : typeof value === 'string' && /^([0-9a-f]{2})*$/i.test(value) ? new Uint8Array(Buffer.from(value, 'hex')) : undefined;
      if (!bytes || (type.kind === 'fixed' && bytes.length !== type.length)) return fail();
      return bytes;
    }
  }
}

export function parseDate(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const d = new Date(ms);
  if (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return undefined;
  return Math.floor(ms / 86_400_000);
}

function parseTime(text: string): bigint | undefined {
  const m = TIME_RE.exec(text.trim());
  if (!m) return undefined;
  const [h, min, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || min > 59 || s > 59) return undefined;
  const fraction = BigInt((m[4] ?? '').padEnd(6, '0').slice(0, 6));
  return BigInt((h * 3600 + min * 60 + s) * 1_000_000) + fraction;
}

/** ISO-8601 or SQL timestamp text to µs from the epoch; a zone is required to be absent or honoured. */
export function parseTimestamp(text: string, withZone: boolean): bigint | undefined {
  const m = TS_RE.exec(text.trim());
  if (!m) return undefined;
  const days = parseDate(m[1]);
  const time = parseTime(m[2]);
  if (days === undefined || time === undefined) return undefined;
  let micros = BigInt(days) * MICROS_PER_DAY + time;
  const zone = m[3];
  if (zone && !withZone && zone.toUpperCase() !== 'Z' && !/^[+-]00:?(00)?$/.test(zone)) return undefined;
  if (zone && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    const offset = BigInt((Number(z[2]) * 60 + Number(z[3] ?? 0)) * 60_000_000);
    micros = z[1] === '+' ? micros - offset : micros + offset;
  }
  return micros;
}

function parseDecimal(text: string, scale: number): bigint | undefined {
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const fraction = m[3] ?? '';
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) return undefined;
  const digits = (m[2] || '0') + fraction.slice(0, scale).padEnd(scale, '0');
  const unscaled = BigInt(digits);
  return m[1] === '-' ? -unscaled : unscaled;
}

/** Orders two non-null values of one type (signed bytes for binary compare unsigned, as Iceberg does). */
export function compareValues(type: PrimitiveType, a: IcebergValue, b: IcebergValue): number {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (typeof a === 'string' && typeof b === 'string') {
    if (type.kind === 'string') return Buffer.compare(Buffer.from(a), Buffer.from(b));
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  // Numbers and bigints compare across representations (an int bound against a long literal).
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Binary single-value serialization (spec Appendix D), used for bounds and partition summaries. */
export function serializeValue(type: PrimitiveType, value: IcebergValue): Uint8Array {
  switch (type.kind) {
    case 'boolean':
      return new Uint8Array([value ? 1 : 0]);
    case 'int':
    case 'date': {
      const b = Buffer.alloc(4);
      b.writeInt32LE(Number(value));
      return new Uint8Array(b);
    }
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz': {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(value as bigint | number));
      return new Uint8Array(b);
    }
    case 'float': {
      const b = Buffer.alloc(4);
      b.writeFloatLE(value as number);
      return new Uint8Array(b);
    }
    case 'double': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(value as number);
      return new Uint8Array(b);
    }
    case 'decimal':
      return minimalTwosComplement(value as bigint);
    case 'string':
      return new Uint8Array(Buffer.from(value as string, 'utf8'));
    case 'uuid':
      return new Uint8Array(Buffer.from((value as string).replaceAll('-', ''), 'hex'));
    case 'fixed':
    case 'binary':
      return value as Uint8Array;
  }
}

/**
 * Reads a serialized bound. Bounds written before a type promotion keep their old width (spec
 * "Schema Evolution"): a 4-byte long was an int, a 4-byte double a float.
 */
export function deserializeValue(type: PrimitiveType, bytes: Uint8Array): IcebergValue {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type.kind) {
    case 'boolean':
      return b[0] !== 0;
    case 'int':
    case 'date':
      return b.readInt32LE(0);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return b.length === 4 ? BigInt(b.readInt32LE(0)) : b.readBigInt64LE(0);
    case 'float':
      return b.readFloatLE(0);
    case 'double':
      return b.length === 4 ? b.readFloatLE(0) : b.readDoubleLE(0);
    case 'decimal':
      return fromTwosComplement(b);
    case 'string':
      return b.toString('utf8');
    case 'uuid': {
      const hex = b.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    case 'fixed':
    case 'binary':
      return new Uint8Array(b);
  }
}

/** The unscaled value as two's-complement big-endian bytes, as few as hold it. */
export function minimalTwosComplement(value: bigint): Uint8Array {
  let bytes = 1;
  while (value >= 2n ** BigInt(8 * bytes - 1) || value < -(2n ** BigInt(8 * bytes - 1))) bytes++;
  return toTwosComplement(value, bytes);
}

/** Two's-complement big-endian in exactly `size` bytes (Avro fixed decimals). */
export function toTwosComplement(value: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let v = BigInt.asUintN(8 * size, value);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function fromTwosComplement(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const byte of bytes) v = (v << 8n) | BigInt(byte);
  return bytes.length === 0 ? 0n : BigInt.asIntN(8 * bytes.length, v);
}

/** Human-readable form: ISO dates and timestamps, plain decimals, hex for bytes. */
export function formatValue(type: PrimitiveType, value: IcebergValue | null | undefined): string {
  if (value === null || value === undefined) return 'null';
  switch (type.kind) {
    case 'date':
      return formatDate(Number(value));
    case 'time': {
      const micros = BigInt(value as bigint);
      return `${formatTimeOfDay(micros)}`;
    }
    case 'timestamp':
      return formatTimestamp(BigInt(value as bigint));
    case 'timestamptz':
      return `${formatTimestamp(BigInt(value as bigint))}+00:00`;
    case 'decimal':
      return formatDecimal(value as bigint, type.scale);
    case 'fixed':
    case 'binary':
      return Buffer.from(value as Uint8Array).toString('hex');
    default:
      return String(value);
  }
}

export function formatDate(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

export function formatTimestamp(micros: bigint): string {
  const days = floorDiv(micros, MICROS_PER_DAY);
  return `${formatDate(Number(days))}T${formatTimeOfDay(micros - days * MICROS_PER_DAY)}`;
}

function formatTimeOfDay(micros: bigint): string {
  const seconds = micros / 1_000_000n;
  const fraction = micros % 1_000_000n;
  const hh = String(seconds / 3600n).padStart(2, '0');
  const mm = String((seconds / 60n) % 60n).padStart(2, '0');
  const ss = String(seconds % 60n).padStart(2, '0');
  return `${hh}:${mm}:${ss}${fraction ? `.${String(fraction).padStart(6, '0')}` : ''}`;
}

export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Bytes of a decimal's Avro fixed (re-exported for the manifest writer). */
export { decimalBytes };
