import { InvalidInputError } from '../errors/invalid-input-error.ts';

/** Iceberg v2 primitive types (spec "Primitive Types"); v3-only types are not supported. */
export type PrimitiveType =
  | { kind: 'boolean' }
  | { kind: 'int' }
  | { kind: 'long' }
  | { kind: 'float' }
  | { kind: 'double' }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'date' }
  | { kind: 'time' }
  | { kind: 'timestamp' }
  | { kind: 'timestamptz' }
  | { kind: 'string' }
  | { kind: 'uuid' }
  | { kind: 'fixed'; length: number }
  | { kind: 'binary' };

export interface NestedField {
  readonly id: number;
  readonly name: string;
  readonly required: boolean;
  readonly type: IcebergType;
  readonly doc?: string;
}

export interface StructType {
  kind: 'struct';
  fields: readonly NestedField[];
}
export interface ListType {
  kind: 'list';
  elementId: number;
  elementRequired: boolean;
  element: IcebergType;
}
export interface MapType {
  kind: 'map';
  keyId: number;
  key: IcebergType;
  valueId: number;
  valueRequired: boolean;
  value: IcebergType;
}

export type IcebergType = PrimitiveType | StructType | ListType | MapType;

const SIMPLE = ['boolean', 'int', 'long', 'float', 'double', 'date', 'time', 'timestamp', 'timestamptz', 'string', 'uuid', 'binary'] as const;

export function isPrimitive(type: IcebergType): type is PrimitiveType {
  return type.kind !== 'struct' && type.kind !== 'list' && type.kind !== 'map';
}

/** The spec's JSON type string of a primitive (Appendix C): `long`, `decimal(9,2)`, `fixed[16]`. */
export function primitiveToString(type: PrimitiveType): string {
  if (type.kind === 'decimal') return `decimal(${type.precision},${type.scale})`;
  if (type.kind === 'fixed') return `fixed[${type.length}]`;
  return type.kind;
}

/** Parses a primitive type string, accepting the spec's optional whitespace in parameters. */
export function parsePrimitive(text: string, where = 'type'): PrimitiveType {
  const t = text.trim().toLowerCase();
  if ((SIMPLE as readonly string[]).includes(t)) return { kind: t } as PrimitiveType;
  const decimal = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(t);
  if (decimal) {
    const precision = Number(decimal[1]);
    const scale = Number(decimal[2]);
    if (precision < 1 || precision > 38 || scale > precision) {
      throw new InvalidInputError(`${where}: decimal precision must be 1..38 and scale at most the precision (got ${text})`, where);
    }
    return { kind: 'decimal', precision, scale };
  }
  const fixed = /^fixed\[\s*(\d+)\s*\]$/.exec(t);
  if (fixed && Number(fixed[1]) > 0) return { kind: 'fixed', length: Number(fixed[1]) };
  throw new InvalidInputError(
    `${where}: unknown type ${JSON.stringify(text)}; use one of ${SIMPLE.join(', ')}, decimal(P,S), fixed[L], or a struct, list or map`,
    where,
  );
}

/** Serializes a type to the spec's JSON form (Appendix C). */
export function typeToJson(type: IcebergType): unknown {
  switch (type.kind) {
    case 'struct':
      return { type: 'struct', fields: type.fields.map(fieldToJson) };
    case 'list':
      return { type: 'list', 'element-id': type.elementId, element: typeToJson(type.element), 'element-required': type.elementRequired };
    case 'map':
      return {
        type: 'map',
        'key-id': type.keyId,
        key: typeToJson(type.key),
        'value-id': type.valueId,
        value: typeToJson(type.value),
        'value-required': type.valueRequired,
      };
    default:
      return primitiveToString(type);
  }
}

export function fieldToJson(field: NestedField): Record<string, unknown> {
  const json: Record<string, unknown> = { id: field.id, name: field.name, required: field.required, type: typeToJson(field.type) };
  if (field.doc !== undefined) json.doc = field.doc;
  return json;
}

/** Parses the spec's JSON form of a type; `where` names the input in error messages. */
export function typeFromJson(json: unknown, where = 'type'): IcebergType {
  if (typeof json === 'string') return parsePrimitive(json, where);
  if (typeof json !== 'object' || json === null) throw new InvalidInputError(`${where}: a type must be a string or an object`, where);
  const obj = json as Record<string, unknown>;
  switch (obj.type) {
    case 'struct': {
      if (!Array.isArray(obj.fields)) throw new InvalidInputError(`${where}: a struct needs a fields list`, where);
      return { kind: 'struct', fields: obj.fields.map((f, i) => fieldFromJson(f, `${where}.fields[${i}]`)) };
    }
    case 'list':
      return {
        kind: 'list',
        elementId: requireInt(obj['element-id'], `${where}.element-id`),
        elementRequired: obj['element-required'] === true,
        element: typeFromJson(obj.element, `${where}.element`),
      };
    case 'map':
      return {
        kind: 'map',
        keyId: requireInt(obj['key-id'], `${where}.key-id`),
        key: typeFromJson(obj.key, `${where}.key`),
        valueId: requireInt(obj['value-id'], `${where}.value-id`),
        value: typeFromJson(obj.value, `${where}.value`),
        valueRequired: obj['value-required'] === true,
      };
    default:
      throw new InvalidInputError(`${where}: unknown nested type ${JSON.stringify(obj.type)} (struct, list or map)`, where);
  }
}

export function fieldFromJson(json: unknown, where: string): NestedField {
  if (typeof json !== 'object' || json === null) throw new InvalidInputError(`${where} must be an object`, where);
  const obj = json as Record<string, unknown>;
  if (typeof obj.name !== 'string' || obj.name === '') throw new InvalidInputError(`${where}.name must be a non-empty string`, where);
  return {
    id: requireInt(obj.id, `${where}.id`),
    name: obj.name,
    required: obj.required === true,
    type: typeFromJson(obj.type, `${where}(${obj.name}).type`),
    ...(typeof obj.doc === 'string' ? { doc: obj.doc } : {}),
  };
}

function requireInt(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new InvalidInputError(`${where} must be an integer`, where);
  return value;
}

/** Whether `from` may be promoted to `to` under the v2 rules (int→long, float→double, decimal precision). */
export function canPromote(from: PrimitiveType, to: PrimitiveType): boolean {
  if (from.kind === 'int' && to.kind === 'long') return true;
  if (from.kind === 'float' && to.kind === 'double') return true;
  if (from.kind === 'decimal' && to.kind === 'decimal') return to.scale === from.scale && to.precision >= from.precision;
  return primitiveToString(from) === primitiveToString(to);
}

/** Bytes a fixed-length decimal of this precision needs (spec: "minBytesRequired(P)"). */
export function decimalBytes(precision: number): number {
  let bytes = 1;
  while (10n ** BigInt(precision) > 2n ** BigInt(8 * bytes - 1)) bytes++;
  return bytes;
}
