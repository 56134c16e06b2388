import { InvalidInputError } from '../errors/invalid-input-error.ts';
import type { IcebergType } from '../table/iceberg-type.ts';
import { duckType } from '../table/parquet-writer.ts';

/**
 * The Iceberg type a column of the common type system (reference/metacat.md §1, what the catalog's
 * connectors report) is stored as. Types Iceberg has no counterpart for keep their source text as
 * a string, so nothing is lost: `decimal` without precision (PostgreSQL's arbitrary numeric) and
 * precisions above 38, `time with time zone`, intervals, and what the connector called `unknown`.
 * Small integers widen to int (Iceberg's smallest), tinyint and smallint included.
 */
export function icebergTypeOf(common: string): IcebergType {
  const type = common.trim().toLowerCase();
  const array = /^array<(.+)>$/.exec(type);
  if (array) return { kind: 'list', elementId: 0, elementRequired: false, element: icebergTypeOf(array[1]!) };
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2]);
    return precision >= 1 && precision <= 38 && scale <= precision ? { kind: 'decimal', precision, scale } : { kind: 'string' };
  }
  if (/^(char|varchar)\(\d*\)$/.test(type)) return { kind: 'string' };
  switch (type) {
    case 'boolean':
      return { kind: 'boolean' };
    case 'tinyint':
    case 'smallint':
    case 'int':
      return { kind: 'int' };
    case 'bigint':
      return { kind: 'long' };
    case 'float':
      return { kind: 'float' };
    case 'double':
      return { kind: 'double' };
    case 'date':
      return { kind: 'date' };
    case 'time':
      return { kind: 'time' };
    case 'timestamp':
      return { kind: 'timestamp' };
    case 'timestamp with time zone':
      return { kind: 'timestamptz' };
    case 'varbinary':
      return { kind: 'binary' };
    default:
      // string, json, decimal, time with time zone, interval …, unknown: the source's text.
      return { kind: 'string' };
  }
}

/**
 * The DuckDB expression turning a column's text form (see TextRow) into its Iceberg type's value.
 * Throws InvalidInputError for a type it cannot stage (maps and structs come from no relational source).
 */
export function castFromText(expression: string, type: IcebergType, column: string): string {
  switch (type.kind) {
    case 'string':
      return expression;
    case 'binary':
    case 'fixed':
      return `from_hex(${expression})`;
    case 'list':
      return `CAST(CAST(${expression} AS JSON) AS ${duckType(type)})`;
    case 'struct':
    case 'map':
      throw new InvalidInputError(`Column ${JSON.stringify(column)} has a ${type.kind} type, which a snapshot cannot copy`, 'columns');
    default:
      return `CAST(${expression} AS ${duckType(type)})`;
  }
}
