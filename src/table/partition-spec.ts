import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { isPrimitive, type PrimitiveType } from './iceberg-type.ts';
import { escapePartitionPathSegment } from './partition-path-segment.ts';
import type { Schema } from './schema.ts';
import { checkTransform, humanValue, parseTransform, resultType, transformToString, type Transform } from './transform.ts';
import type { IcebergValue } from './values.ts';

/** v2 partition field ids start here (the reference implementation's convention). */
export const FIRST_PARTITION_FIELD_ID = 1000;

export interface PartitionField {
  readonly sourceId: number;
  readonly fieldId: number;
  readonly name: string;
  readonly transform: Transform;
}

/** A partition tuple: values in spec field order, internal representation, null for null. */
export type PartitionTuple = readonly (IcebergValue | null)[];

/** How rows map to partition tuples. Immutable. */
export class PartitionSpec {
  constructor(
    readonly specId: number,
    readonly fields: readonly PartitionField[],
  ) {}

  static unpartitioned(): PartitionSpec {
    return new PartitionSpec(0, []);
  }

  /**
   * Builds a spec from user declarations (`{column, transform, name?}`) against a schema, naming
   * fields as Iceberg does (`ts_day`, `id_bucket`, …) unless a name is given.
   */
  static build(schema: Schema, declarations: readonly PartitionDeclaration[], specId = 0, firstFieldId = FIRST_PARTITION_FIELD_ID): PartitionSpec {
    const fields = declarations.map((d, i): PartitionField => {
      const where = `partitionSpec[${i}]`;
      const transform = parseTransform(d.transform ?? 'identity', `${where}.transform`);
      const source = schema.requireField(d.column, 'partition source column');
      if (!isPrimitive(source.type)) throw new InvalidInputError(`${where}: partition source ${d.column} must be a primitive column`, where);
      checkTransform(transform, source.type, where);
      return { sourceId: source.id, fieldId: firstFieldId + i, name: d.name ?? defaultName(d.column, transform), transform };
    });
    const spec = new PartitionSpec(specId, fields);
    spec.validate(schema);
    return spec;
  }

  static fromJson(json: unknown, schema: Schema | undefined, where = 'partition-spec'): PartitionSpec {
    const obj = json as Record<string, unknown>;
    if (typeof obj !== 'object' || obj === null || !Array.isArray(obj.fields)) throw new InvalidInputError(`${where} must have a fields list`, where);
    const fields = (obj.fields as Record<string, unknown>[]).map((f, i) => ({
      sourceId: Number(f['source-id']),
      fieldId: Number(f['field-id'] ?? FIRST_PARTITION_FIELD_ID + i),
      name: String(f.name),
      transform: parseTransform(String(f.transform), `${where}.fields[${i}].transform`),
    }));
    const spec = new PartitionSpec(Number(obj['spec-id'] ?? 0), fields);
    if (schema) spec.validate(schema);
    return spec;
  }

  toJson(): Record<string, unknown> {
    return { 'spec-id': this.specId, fields: this.fieldsJson() };
  }

  /** Just the fields list, as manifests store it in their `partition-spec` metadata key. */
  fieldsJson(): Record<string, unknown>[] {
    return this.fields.map((f) => ({ 'source-id': f.sourceId, 'field-id': f.fieldId, name: f.name, transform: transformToString(f.transform) }));
  }

  isUnpartitioned(): boolean {
    return this.fields.every((f) => f.transform.kind === 'void');
  }

  /** The source and result types of each field under a schema. */
  fieldTypes(schema: Schema): { field: PartitionField; source: PrimitiveType; result: PrimitiveType }[] {
    return this.fields.map((field) => {
      const source = schema.primitiveById(field.sourceId);
      if (!source) throw new InvalidInputError(`Partition field ${field.name} refers to column id ${field.sourceId}, which the schema lacks`, 'partition-spec');
      return { field, source: source.type, result: resultType(field.transform, source.type) };
    });
  }

  /** The `name=value/…` folder Iceberg writers put a partition's files in, escaped as Iceberg Java does. */
  partitionPath(schema: Schema, tuple: PartitionTuple): string {
    return this.fieldTypes(schema)
      .map(({ field, source }, i) => `${escapePartitionPathSegment(field.name)}=${escapePartitionPathSegment(humanValue(field.transform, source, tuple[i] ?? null))}`)
      .join('/');
  }

  sameFields(other: PartitionSpec): boolean {
    return JSON.stringify(this.fieldsJson()) === JSON.stringify(other.fieldsJson());
  }

  validate(schema: Schema): void {
    const names = new Set<string>();
    for (const [i, f] of this.fields.entries()) {
      const where = `partition field ${f.name}`;
      if (names.has(f.name)) throw new InvalidInputError(`Partition spec has two fields named ${JSON.stringify(f.name)}`, 'partition-spec');
      names.add(f.name);
      const source = schema.fieldById(f.sourceId);
      if (!source) throw new InvalidInputError(`${where} refers to column id ${f.sourceId}, which the schema lacks`, 'partition-spec');
      if (!isPrimitive(source.type)) throw new InvalidInputError(`${where}: source ${source.name} must be a primitive column`, 'partition-spec');
      checkTransform(f.transform, source.type, `partitionSpec[${i}]`);
      // A partition name equal to a column name is only allowed for identity on that column, or readers
      // could confuse the partition value with the column.
      const clash = schema.findField(f.name);
      if (clash && !(f.transform.kind === 'identity' && clash.id === f.sourceId)) {
        throw new InvalidInputError(`Partition field name ${JSON.stringify(f.name)} clashes with a column of the same name`, 'partition-spec');
      }
    }
  }
}

export interface PartitionDeclaration {
  column: string;
  /** identity (default), year, month, day, hour, bucket[N], truncate[W] */
  transform?: string;
  name?: string;
}

function defaultName(column: string, t: Transform): string {
  switch (t.kind) {
    case 'identity':
      return column;
    case 'bucket':
      return `${column}_bucket`;
    case 'truncate':
      return `${column}_trunc`;
    default:
      return `${column}_${t.kind}`;
  }
}
