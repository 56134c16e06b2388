import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { primitiveToString, type PrimitiveType } from './iceberg-type.ts';
import { murmur3Long, murmur3x86_32 } from './murmur3.ts';
import { floorDiv, formatDate, formatValue, minimalTwosComplement, serializeValue, type IcebergValue } from './values.ts';

/** A partition or sort transform (spec "Partition Transforms"). */
export type Transform =
  | { kind: 'identity' }
  | { kind: 'bucket'; n: number }
  | { kind: 'truncate'; width: number }
  | { kind: 'year' }
  | { kind: 'month' }
  | { kind: 'day' }
  | { kind: 'hour' }
  | { kind: 'void' };

const MICROS_PER_HOUR = 3_600_000_000n;
const MICROS_PER_DAY = 86_400_000_000n;
const TEMPORAL = ['date', 'timestamp', 'timestamptz'];

export function parseTransform(text: string, where = 'transform'): Transform {
  const t = text.trim().toLowerCase();
  if (t === 'identity' || t === 'year' || t === 'month' || t === 'day' || t === 'hour' || t === 'void') return { kind: t };
  const m = /^(bucket|truncate)\[\s*(\d+)\s*\]$/.exec(t);
  if (m && Number(m[2]) > 0) return m[1] === 'bucket' ? { kind: 'bucket', n: Number(m[2]) } : { kind: 'truncate', width: Number(m[2]) };
  throw new InvalidInputError(
    `${where}: unknown transform ${JSON.stringify(text)}; use identity, year, month, day, hour, bucket[N], truncate[W] or void`,
    where,
  );
}

export function transformToString(t: Transform): string {
  if (t.kind === 'bucket') return `bucket[${t.n}]`;
  if (t.kind === 'truncate') return `truncate[${t.width}]`;
  return t.kind;
}

/** Whether the transform accepts this source type (spec table "Source types"). */
export function canApply(t: Transform, source: PrimitiveType): boolean {
  switch (t.kind) {
    case 'identity':
    case 'void':
      return true;
    case 'bucket':
      return !['boolean', 'float', 'double'].includes(source.kind);
    case 'truncate':
      return ['int', 'long', 'decimal', 'string', 'binary'].includes(source.kind);
    case 'year':
    case 'month':
    case 'day':
      return TEMPORAL.includes(source.kind);
    case 'hour':
      return source.kind === 'timestamp' || source.kind === 'timestamptz';
  }
}

export function checkTransform(t: Transform, source: PrimitiveType, where: string): void {
  if (!canApply(t, source)) {
    throw new InvalidInputError(`${where}: transform ${transformToString(t)} does not apply to a ${primitiveToString(source)} column`, where);
  }
}

export function resultType(t: Transform, source: PrimitiveType): PrimitiveType {
  switch (t.kind) {
    case 'identity':
    case 'truncate':
    case 'void':
      return source;
    case 'day':
      return { kind: 'date' };
    default:
      return { kind: 'int' };
  }
}

/** Applies the transform to one value in internal representation; null stays null. */
export function applyTransform(t: Transform, source: PrimitiveType, value: IcebergValue | null): IcebergValue | null {
  if (value === null) return null;
  switch (t.kind) {
    case 'identity':
      return value;
    case 'void':
      return null;
    case 'bucket':
      return (hashValue(source, value) & 0x7fffffff) % t.n;
    case 'truncate':
      return truncate(source, t.width, value);
    case 'year':
    case 'month':
    case 'day':
    case 'hour': {
      const days = source.kind === 'date' ? Number(value) : Number(floorDiv(value as bigint, MICROS_PER_DAY));
      if (t.kind === 'hour') return Number(floorDiv(value as bigint, MICROS_PER_HOUR));
      if (t.kind === 'day') return days;
      const d = new Date(days * 86_400_000);
      const years = d.getUTCFullYear() - 1970;
      return t.kind === 'year' ? years : years * 12 + d.getUTCMonth();
    }
  }
}

/** Appendix B's 32-bit hash of a value. */
export function hashValue(type: PrimitiveType, value: IcebergValue): number {
  switch (type.kind) {
    case 'int':
    case 'date':
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return murmur3Long(BigInt(value as number | bigint));
    case 'decimal':
      return murmur3x86_32(minimalTwosComplement(value as bigint));
    default:
      return murmur3x86_32(serializeValue(type, value));
  }
}

function truncate(type: PrimitiveType, width: number, value: IcebergValue): IcebergValue {
  switch (type.kind) {
    case 'int':
      return (value as number) - ((((value as number) % width) + width) % width);
    case 'long':
    case 'decimal': {
      const v = value as bigint;
      const w = BigInt(width);
      return v - (((v % w) + w) % w);
    }
    case 'string':
      return [...(value as string)].slice(0, width).join('');
    case 'binary':
      return (value as Uint8Array).subarray(0, width);
    default:
      return value;
  }
}

/** The partition-path form of a transformed value, as Iceberg writers name partition folders. */
export function humanValue(t: Transform, source: PrimitiveType, value: IcebergValue | null): string {
  if (value === null) return 'null';
  switch (t.kind) {
    case 'year':
      return String(1970 + Number(value));
    case 'month': {
      const m = Number(value);
      const year = 1970 + Math.floor(m / 12);
      return `${year}-${String((((m % 12) + 12) % 12) + 1).padStart(2, '0')}`;
    }
    case 'day':
      return formatDate(Number(value));
    case 'hour': {
      const hours = Number(value);
      const day = Math.floor(hours / 24);
      return `${formatDate(day)}-${String(hours - day * 24).padStart(2, '0')}`;
    }
    case 'bucket':
      return String(value);
    default:
      return formatValue(source, value);
  }
}

/**
 * The transform as a DuckDB SQL expression over `column` (a DuckDB value of the source type), giving
 * the result in internal representation (see internalSql). The session runs in UTC.
 */
export function transformSql(t: Transform, source: PrimitiveType, column: string): string {
  switch (t.kind) {
    case 'identity':
      return internalSql(source, column);
    case 'void':
      return 'NULL::INTEGER';
    case 'year':
      return `(year(${column}) - 1970)::INTEGER`;
    case 'month':
      return `((year(${column}) - 1970) * 12 + month(${column}) - 1)::INTEGER`;
    case 'day':
      return `date_diff('day', DATE '1970-01-01', ${column}::DATE)::INTEGER`;
    case 'hour':
      return `date_diff('hour', TIMESTAMP '1970-01-01', ${column}::TIMESTAMP)::INTEGER`;
    case 'bucket':
      return `((${hashSql(source, column)} & 2147483647) % ${t.n})::INTEGER`;
    case 'truncate': {
      const w = t.width;
      if (source.kind === 'int' || source.kind === 'long') return `(${column} - (((${column} % ${w}) + ${w}) % ${w}))`;
      if (source.kind === 'string') return `substring(${column}, 1, ${w})`;
      if (source.kind === 'decimal') {
        // On the unscaled integer, as the spec defines it (10.65 truncated by 50 at scale 2 is 10.50);
        // back to the decimal type by an exact decimal multiplication by 10^-scale.
        // The unscaled value from the text form (always `scale` digits after the point): multiplying by
        // 10^scale could overflow DECIMAL(38).
        const unscaled = `CAST(replace(CAST(${column} AS VARCHAR), '.', '') AS HUGEINT)`;
        const unit = source.scale === 0 ? 'CAST(1 AS DECIMAL(1,0))' : `CAST(0.${'0'.repeat(source.scale - 1)}1 AS DECIMAL(${source.scale + 1},${source.scale}))`;
        return `CAST(CAST(${unscaled} - (((${unscaled} % ${w}) + ${w}) % ${w}) AS DECIMAL(38,0)) * ${unit} AS DECIMAL(${source.precision},${source.scale}))`;
      }
      if (source.kind === 'binary') return `${column}[1:${w}]`;
      throw new InvalidInputError(`truncate on ${primitiveToString(source)} columns is not supported by Quarry's writer`, 'transform');
    }
  }
}

/** The hash of Appendix B in SQL, through the UDFs duckdb-session.ts registers. */
function hashSql(source: PrimitiveType, column: string): string {
  switch (source.kind) {
    case 'int':
    case 'long':
      return `iceberg_hash_long(${column}::BIGINT)`;
    case 'date':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return `iceberg_hash_long(${internalSql(source, column)})`;
    case 'string':
      return `iceberg_hash_string(${column})`;
    case 'uuid':
      return `iceberg_hash_bytes(unhex(replace(${column}::VARCHAR, '-', '')))`;
    case 'decimal':
      return `iceberg_hash_decimal(${column}::VARCHAR)`;
    default:
      return `iceberg_hash_bytes(${column}::BLOB)`;
  }
}

/**
 * A DuckDB expression turning a value of the source type into what DuckDB hands back to JS as the
 * internal representation: days for dates, µs for times and timestamps, text for decimals and uuids.
 */
export function internalSql(type: PrimitiveType, column: string): string {
  switch (type.kind) {
    case 'date':
      return `date_diff('day', DATE '1970-01-01', ${column})::INTEGER`;
    case 'time':
      return `date_diff('microsecond', TIME '00:00:00', ${column})::BIGINT`;
    case 'timestamp':
    case 'timestamptz':
      return `epoch_us(${column})::BIGINT`;
    case 'decimal':
    case 'uuid':
      return `${column}::VARCHAR`;
    default:
      return column;
  }
}
