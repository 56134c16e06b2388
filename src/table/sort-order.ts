import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { isPrimitive } from './iceberg-type.ts';
import type { Schema } from './schema.ts';
import { checkTransform, parseTransform, transformToString, type Transform } from './transform.ts';

export interface SortField {
  readonly sourceId: number;
  readonly transform: Transform;
  readonly direction: 'asc' | 'desc';
  readonly nullOrder: 'nulls-first' | 'nulls-last';
}

/** How rows are ordered within each data file. Order id 0 is reserved for "unsorted". */
export class SortOrder {
  constructor(
    readonly orderId: number,
    readonly fields: readonly SortField[],
  ) {}

  static unsorted(): SortOrder {
    return new SortOrder(0, []);
  }

  static build(schema: Schema, declarations: readonly SortDeclaration[], orderId = 1): SortOrder {
    if (declarations.length === 0) return SortOrder.unsorted();
    return new SortOrder(
      orderId,
      declarations.map((d, i) => {
        const where = `sortOrder[${i}]`;
        const source = schema.requireField(d.column, 'sort column');
        if (!isPrimitive(source.type)) throw new InvalidInputError(`${where}: sort column ${d.column} must be a primitive column`, where);
        const transform = parseTransform(d.transform ?? 'identity', `${where}.transform`);
        checkTransform(transform, source.type, where);
        const direction = d.direction ?? 'asc';
        if (direction !== 'asc' && direction !== 'desc') throw new InvalidInputError(`${where}.direction must be asc or desc`, where);
        return { sourceId: source.id, transform, direction, nullOrder: d.nullOrder ?? (direction === 'asc' ? 'nulls-first' : 'nulls-last') };
      }),
    );
  }

  static fromJson(json: unknown): SortOrder {
    const obj = json as Record<string, unknown>;
    if (typeof obj !== 'object' || obj === null || !Array.isArray(obj.fields)) throw new InvalidInputError('A sort order must have a fields list', 'sort-order');
    return new SortOrder(
      Number(obj['order-id'] ?? 0),
      (obj.fields as Record<string, unknown>[]).map((f, i) => ({
        sourceId: Number(f['source-id']),
        transform: parseTransform(String(f.transform ?? 'identity'), `sort-order.fields[${i}].transform`),
        direction: f.direction === 'desc' ? 'desc' : 'asc',
        nullOrder: f['null-order'] === 'nulls-last' ? 'nulls-last' : 'nulls-first',
      })),
    );
  }

  toJson(): Record<string, unknown> {
    return {
      'order-id': this.orderId,
      fields: this.fields.map((f) => ({ transform: transformToString(f.transform), 'source-id': f.sourceId, direction: f.direction, 'null-order': f.nullOrder })),
    };
  }

  isUnsorted(): boolean {
    return this.fields.length === 0;
  }
}

export interface SortDeclaration {
  column: string;
  transform?: string;
  direction?: 'asc' | 'desc';
  nullOrder?: 'nulls-first' | 'nulls-last';
}
