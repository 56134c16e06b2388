import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { fieldFromJson, fieldToJson, isPrimitive, typeFromJson, type IcebergType, type NestedField, type PrimitiveType } from './iceberg-type.ts';

/** The highest field id a table may use (spec "Reserved Field IDs"). */
const MAX_FIELD_ID = 2147483447;

/**
 * A table schema: a struct of fields with ids unique across the whole tree. Immutable; evolution
 * builds a new Schema with a new id (see schema-update.ts).
 */
export class Schema {
  private readonly byId = new Map<number, NestedField>();
  private readonly byName = new Map<string, NestedField>();

  constructor(
    readonly schemaId: number,
    readonly fields: readonly NestedField[],
    readonly identifierFieldIds: readonly number[] = [],
  ) {
    index(fields, '', this.byId, this.byName);
    for (const id of identifierFieldIds) {
      if (!this.byId.has(id)) throw new InvalidInputError(`Schema identifier-field-ids names field id ${id}, which the schema lacks`, 'identifier-field-ids');
    }
  }

  /** Builds a schema from user column definitions, assigning ids 1, 2, 3, … (nested ids follow). */
  static fromColumns(columns: readonly ColumnDefinition[]): Schema {
    if (columns.length === 0) throw new InvalidInputError('A table schema needs at least one column', 'schema');
    let next = 1;
    const topIds = columns.map(() => next++);
    const build = (def: ColumnDefinition, id: number, where: string): NestedField => ({
      id,
      name: def.name,
      required: def.required ?? false,
      type: assignIds(typeof def.type === 'string' ? typeFromJson(def.type, `${where}.type`) : def.type, () => next++),
      ...(def.doc !== undefined ? { doc: def.doc } : {}),
    });
    return new Schema(0, columns.map((c, i) => build(c, topIds[i], `schema.columns[${i}](${c.name})`)));
  }

  static fromJson(json: unknown): Schema {
    if (typeof json !== 'object' || json === null) throw new InvalidInputError('A schema must be a JSON object', 'schema');
    const obj = json as Record<string, unknown>;
    if (obj.type !== undefined && obj.type !== 'struct') throw new InvalidInputError('A schema must have type "struct"', 'schema.type');
    if (!Array.isArray(obj.fields)) throw new InvalidInputError('A schema needs a "fields" list', 'schema.fields');
    const fields = obj.fields.map((f, i) => fieldFromJson(f, `schema.fields[${i}]`));
    const ids = Array.isArray(obj['identifier-field-ids']) ? (obj['identifier-field-ids'] as number[]) : [];
    return new Schema(typeof obj['schema-id'] === 'number' ? obj['schema-id'] : 0, fields, ids);
  }

  toJson(): Record<string, unknown> {
    const json: Record<string, unknown> = { type: 'struct', 'schema-id': this.schemaId, fields: this.fields.map(fieldToJson) };
    if (this.identifierFieldIds.length > 0) json['identifier-field-ids'] = [...this.identifierFieldIds];
    return json;
  }

  /** The field with this id anywhere in the tree. */
  fieldById(id: number): NestedField | undefined {
    return this.byId.get(id);
  }

  /** A field by name: a top-level column, or `a.b` for a field nested in struct `a`. */
  findField(name: string): NestedField | undefined {
    return this.byName.get(name);
  }

  /** Like findField, but a missing column is an error naming the columns that exist. */
  requireField(name: string, what = 'column'): NestedField {
    const field = this.findField(name);
    if (!field) {
      throw new InvalidInputError(`Unknown ${what} ${JSON.stringify(name)}: the table has ${this.fields.map((f) => f.name).join(', ')}`, what);
    }
    return field;
  }

  /** A primitive field by id; throws if the id is missing or names a nested type. */
  primitiveById(id: number): { field: NestedField; type: PrimitiveType } | undefined {
    const field = this.byId.get(id);
    if (!field || !isPrimitive(field.type)) return undefined;
    return { field, type: field.type };
  }

  /** The dotted name of a field id (`a.b`), as findField accepts it. */
  nameOf(id: number): string | undefined {
    for (const [name, field] of this.byName) if (field.id === id) return name;
    return undefined;
  }

  highestFieldId(): number {
    return Math.max(0, ...this.byId.keys());
  }

  withId(schemaId: number): Schema {
    return new Schema(schemaId, this.fields, this.identifierFieldIds);
  }

  /** Same fields, types, names and requiredness (ids included), regardless of schema id. */
  sameStructure(other: Schema): boolean {
    return JSON.stringify(this.fields.map(fieldToJson)) === JSON.stringify(other.fields.map(fieldToJson));
  }
}

/** A column as a user declares it: a name and a type string (or nested type); ids come later. */
export interface ColumnDefinition {
  name: string;
  type: string | IcebergType;
  required?: boolean;
  doc?: string;
}

/** Gives every field id in a nested type (ids in the input are ignored) a fresh one. */
export function assignIds(type: IcebergType, nextId: () => number): IcebergType {
  switch (type.kind) {
    case 'struct': {
      const ids = type.fields.map(() => nextId());
      return { kind: 'struct', fields: type.fields.map((f, i) => ({ ...f, id: ids[i], type: assignIds(f.type, nextId) })) };
    }
    case 'list': {
      const elementId = nextId();
      return { ...type, elementId, element: assignIds(type.element, nextId) };
    }
    case 'map': {
      const keyId = nextId();
      const valueId = nextId();
      return { ...type, keyId, valueId, key: assignIds(type.key, nextId), value: assignIds(type.value, nextId) };
    }
    default:
      return type;
  }
}

function index(fields: readonly NestedField[], prefix: string, byId: Map<number, NestedField>, byName: Map<string, NestedField>): void {
  const seen = new Set<string>();
  for (const field of fields) {
    const name = prefix + field.name;
    if (field.name.trim() === '') throw new InvalidInputError(`Schema has a field with an empty name${prefix ? ` in ${prefix.slice(0, -1)}` : ''}`, 'schema');
    if (seen.has(field.name)) throw new InvalidInputError(`Schema has two fields named ${JSON.stringify(name)}; names must be unique within a struct`, 'schema');
    seen.add(field.name);
    registerId(field.id, name, byId, field);
    byName.set(name, field);
    indexType(field.type, name, byId, byName);
  }
}

function indexType(type: IcebergType, name: string, byId: Map<number, NestedField>, byName: Map<string, NestedField>): void {
  if (type.kind === 'struct') index(type.fields, `${name}.`, byId, byName);
  else if (type.kind === 'list') {
    const element: NestedField = { id: type.elementId, name: 'element', required: type.elementRequired, type: type.element };
    registerId(type.elementId, `${name}.element`, byId, element);
    indexType(type.element, `${name}.element`, byId, new Map());
  } else if (type.kind === 'map') {
    registerId(type.keyId, `${name}.key`, byId, { id: type.keyId, name: 'key', required: true, type: type.key });
    registerId(type.valueId, `${name}.value`, byId, { id: type.valueId, name: 'value', required: type.valueRequired, type: type.value });
    indexType(type.key, `${name}.key`, byId, new Map());
    indexType(type.value, `${name}.value`, byId, new Map());
  }
}

function registerId(id: number, name: string, byId: Map<number, NestedField>, field: NestedField): void {
  if (id < 0 || id > MAX_FIELD_ID) throw new InvalidInputError(`Field ${name} has id ${id}; ids must be 0..${MAX_FIELD_ID}`, 'schema');
  if (byId.has(id)) throw new InvalidInputError(`Schema uses field id ${id} twice (${byId.get(id)!.name} and ${name})`, 'schema');
  byId.set(id, field);
}
