import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { isNumericType, type FieldInfo } from './catalog-model.ts';
import { HIVE_DEFAULT_PARTITION } from './filter/filter-ast.ts';
import { numericValueOf } from './filter/numeric-value.ts';

/** A partition name checked against its table's keys. */
export interface ParsedPartitionName {
  /** `k1=v1/k2=v2` with the table's key names, values as written (Hive-escaped). */
  readonly name: string;
  /** Unescaped values, one per key in key order; a null value is the Hive marker. */
  readonly values: readonly string[];
}

/**
 * Splits a Hive partition name (`dateint=20240101/hour=3`) into values, checking it names exactly the
 * table's partition keys in order (key names compare ignoring case, as Hive's do). Values are
 * unescaped (`%2F` → `/`). An empty value, a wrong key, or a non-number for a numeric key (other than
 * the Hive null marker) is an InvalidInputError naming the partition and the key.
 */
export function parsePartitionName(name: string, keys: readonly FieldInfo[], table: string): ParsedPartitionName {
  if (keys.length === 0) throw new InvalidInputError(`Table ${table} has no partition keys, so it cannot have partition ${JSON.stringify(name)}`, 'partitions');
  const parts = name.split('/');
  if (parts.length !== keys.length) {
    throw new InvalidInputError(
      `Partition name ${JSON.stringify(name)} has ${parts.length} part(s); table ${table} is partitioned by ${keys.map((k) => k.name).join(', ')}`,
      'partitions',
    );
  }
  const values: string[] = [];
  const canonical: string[] = [];
  parts.forEach((part, i) => {
    const key = keys[i]!;
    const eq = part.indexOf('=');
    const given = eq < 0 ? part : part.slice(0, eq);
    if (eq < 0 || given.toLowerCase() !== key.name.toLowerCase()) {
      throw new InvalidInputError(
        `Partition name ${JSON.stringify(name)} does not match the partition keys of ${table}: expected key '${key.name}' at part ${i + 1}, found '${given}'`,
        'partitions',
      );
    }
    const raw = part.slice(eq + 1);
    if (raw === '') {
      throw new InvalidInputError(`Partition value for key '${key.name}' cannot be null or empty (partition ${JSON.stringify(name)})`, 'partitions');
    }
    const value = unescapePartitionValue(raw);
    if (value !== HIVE_DEFAULT_PARTITION && isNumericType(key.type) && numericValueOf(value) === null) {
      throw new InvalidInputError(
        `Partition value ${JSON.stringify(value)} for key '${key.name}' is not a number (the key is ${key.type}) in partition ${JSON.stringify(name)}`,
        'partitions',
      );
    }
    values.push(value);
    canonical.push(`${key.name}=${raw}`);
  });
  return { name: canonical.join('/'), values };
}

/** Hive escapes these characters in partition values as %XX. */
// eslint-disable-next-line no-control-regex
const ESCAPED = /[\u0000-\u001f"#%'*/:=?\\\u007f{[\]^]/g;

export function escapePartitionValue(value: string): string {
  return value.replace(ESCAPED, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function unescapePartitionValue(value: string): string {
  return value.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Builds a partition name from key names and unescaped values. */
export function makePartitionName(keys: readonly string[], values: readonly string[]): string {
  return keys.map((key, i) => `${key}=${escapePartitionValue(values[i]!)}`).join('/');
}
