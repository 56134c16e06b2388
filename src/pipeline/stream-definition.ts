import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { parsePrimitive, primitiveToString, type PrimitiveType } from '../table/iceberg-type.ts';
import type { PartitionDeclaration } from '../table/partition-spec.ts';
import type { SortDeclaration } from '../table/sort-order.ts';
import type { TableIdentifier } from '../table/table-pointer-store.ts';

/** A field of a stream's events: a top-level column of its table. */
export interface StreamField {
  name: string;
  /** An Iceberg primitive type string: long, string, timestamptz, decimal(10,2), … */
  type: string;
  required?: boolean;
}

/** A stream as declared with PUT /api/pipeline/v1/streams/{name} (defaults filled in by normalize). */
export interface StreamDefinition {
  /** Target table, `db.table` (more dots: nested namespace). */
  table: string;
  fields: StreamField[];
  /** The field holding each event's time; must be a required timestamp/timestamptz/date field. */
  eventTime: string;
  /** Partition fields of the table; default `hour(<eventTime>)`. */
  partitionBy?: PartitionDeclaration[];
  sortBy?: SortDeclaration[];
  /** Field whose value keys events in the log (Kafka message key: same key, same partition, in order). */
  keyField?: string;
  /** Log partitions (Kafka topic partitions); default 1. */
  partitions?: number;
}

/** Types an event field may have: primitives with a JSON form (no binary, fixed or time). */
const ALLOWED = new Set(['boolean', 'int', 'long', 'float', 'double', 'decimal', 'date', 'timestamp', 'timestamptz', 'string', 'uuid']);
const EVENT_TIME_TYPES = new Set(['timestamp', 'timestamptz', 'date']);
const STREAM_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The columns every dead-letter table has: what arrived, why it was refused, when. */
export const DEAD_LETTER_COLUMNS = [
  { name: 'raw', type: 'string', required: true },
  { name: 'reason', type: 'string', required: true },
  { name: 'received_at', type: 'timestamptz', required: true },
  { name: 'line', type: 'int', required: false },
] as const;

export function validateStreamName(name: string): void {
  if (!STREAM_NAME.test(name)) {
    throw new InvalidInputError(`Stream name ${JSON.stringify(name)} is invalid: use a letter, then letters, digits, _ or - (at most 128)`, 'name');
  }
}

/** The table identifier of `db.table`. */
export function tableIdentifier(table: string): TableIdentifier {
  const parts = table.split('.');
  if (parts.length < 2 || parts.some((p) => !IDENTIFIER.test(p))) {
    throw new InvalidInputError(`table ${JSON.stringify(table)} must be <database>.<table> with names of letters, digits and _`, 'table');
  }
  return { namespace: parts.slice(0, -1), name: parts[parts.length - 1] };
}

/** The dead-letter table of a stream's table: `<db>.<table>_dead_letters`. */
export function deadLetterTable(table: string): string {
  return `${table}_dead_letters`;
}

/**
 * Checks a declaration and fills in its defaults; throws InvalidInputError naming the first bad
 * field. Types are normalized to Iceberg's spelling so re-declarations compare as strings.
 */
export function normalizeDefinition(input: StreamDefinition): StreamDefinition {
  tableIdentifier(input.table);
  if (input.fields.length === 0) throw new InvalidInputError('fields must name at least one field', 'fields');
  const seen = new Set<string>();
  const fields = input.fields.map((f, i) => {
    if (!IDENTIFIER.test(f.name)) throw new InvalidInputError(`fields[${i}].name ${JSON.stringify(f.name)} must be letters, digits and _`, `fields[${i}].name`);
    if (seen.has(f.name)) throw new InvalidInputError(`fields[${i}].name repeats the field ${JSON.stringify(f.name)}`, `fields[${i}].name`);
    seen.add(f.name);
    let type: PrimitiveType;
    try {
      type = parsePrimitive(f.type, `fields[${i}].type`);
    } catch {
      type = { kind: 'binary' };
    }
    if (!ALLOWED.has(type.kind)) {
      throw new InvalidInputError(`fields[${i}].type ${JSON.stringify(f.type)} is not a type events can carry: use one of ${[...ALLOWED].join(', ')} (decimal as decimal(P,S))`, `fields[${i}].type`);
    }
    return { name: f.name, type: primitiveToString(type), required: f.required === true };
  });
  const time = fields.find((f) => f.name === input.eventTime);
  if (!time) throw new InvalidInputError(`eventTime ${JSON.stringify(input.eventTime)} names no field (fields: ${fields.map((f) => f.name).join(', ')})`, 'eventTime');
  if (!EVENT_TIME_TYPES.has(time.type) || !time.required) {
    throw new InvalidInputError(`eventTime field ${JSON.stringify(time.name)} must be a required timestamptz, timestamp or date field`, 'eventTime');
  }
  if (input.keyField !== undefined && !seen.has(input.keyField)) {
    throw new InvalidInputError(`keyField ${JSON.stringify(input.keyField)} names no field`, 'keyField');
  }
  const partitions = input.partitions ?? 1;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 256) throw new InvalidInputError('partitions must be an integer from 1 to 256', 'partitions');
  const partitionBy = input.partitionBy ?? [{ column: input.eventTime, transform: time.type === 'date' ? 'day' : 'hour' }];
  return {
    table: input.table,
    fields,
    eventTime: input.eventTime,
    partitionBy,
    sortBy: input.sortBy ?? [],
    ...(input.keyField !== undefined ? { keyField: input.keyField } : {}),
    partitions,
  };
}
