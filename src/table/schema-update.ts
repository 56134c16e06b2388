import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { commitWithRetry } from './commit-retry.ts';
import { canPromote, isPrimitive, parsePrimitive, primitiveToString, typeFromJson, type IcebergType, type NestedField } from './iceberg-type.ts';
import { assignIds, Schema } from './schema.ts';
import { applyTableUpdates } from './metadata-builder.ts';
import { CommitConflictError } from './table-errors.ts';
import { currentSchema, type TableMetadata } from './table-metadata.ts';
import type { TableOperations, TableState } from './table-operations.ts';
import { setCurrentSchemaUpdates } from './table-update.ts';

type Change =
  | { kind: 'add'; name: string; type: string | IcebergType; doc?: string }
  | { kind: 'rename'; name: string; newName: string }
  | { kind: 'widen'; name: string; type: string }
  | { kind: 'optional'; name: string }
  | { kind: 'delete'; name: string };

/**
 * Schema evolution on top-level columns: add (optional, new id), rename (same id), widen
 * (int→long, float→double, decimal precision), make optional, delete. Commits a new schema and makes
 * it current; data files are untouched because readers map columns by field id.
 * A concurrent schema change makes the commit fail with CommitConflictError (spec "Commit Conflict
 * Resolution": schema updates must see an unchanged schema).
 */
export class SchemaUpdate {
  private readonly changes: Change[] = [];

  constructor(private readonly ops: TableOperations) {}

  addColumn(name: string, type: string | IcebergType, doc?: string): this {
    this.changes.push({ kind: 'add', name, type, ...(doc !== undefined ? { doc } : {}) });
    return this;
  }
  renameColumn(name: string, newName: string): this {
    this.changes.push({ kind: 'rename', name, newName });
    return this;
  }
  widenColumn(name: string, type: string): this {
    this.changes.push({ kind: 'widen', name, type });
    return this;
  }
  makeOptional(name: string): this {
    this.changes.push({ kind: 'optional', name });
    return this;
  }
  deleteColumn(name: string): this {
    this.changes.push({ kind: 'delete', name });
    return this;
  }

  /** The new schema the changes give on `base`, validated; throws InvalidInputError naming the problem. */
  apply(base: TableMetadata): { schema: Schema; lastColumnId: number } {
    const schema = currentSchema(base);
    let fields: NestedField[] = [...schema.fields];
    let lastId = base.lastColumnId;
    const find = (name: string) => {
      const i = fields.findIndex((f) => f.name === name);
      if (i < 0) throw new InvalidInputError(`Schema change refers to column ${JSON.stringify(name)}, which the table does not have (columns: ${fields.map((f) => f.name).join(', ')})`, 'column');
      return i;
    };
    for (const c of this.changes) {
      switch (c.kind) {
        case 'add': {
          if (fields.some((f) => f.name === c.name)) throw new InvalidInputError(`Cannot add column ${JSON.stringify(c.name)}: it already exists`, 'column');
          const id = ++lastId;
          const type = assignIds(typeof c.type === 'string' ? typeFromJson(c.type, `column ${c.name}`) : c.type, () => ++lastId);
          fields.push({ id, name: c.name, required: false, type, ...(c.doc !== undefined ? { doc: c.doc } : {}) });
          break;
        }
        case 'rename': {
          const i = find(c.name);
          if (fields.some((f) => f.name === c.newName)) throw new InvalidInputError(`Cannot rename ${c.name} to ${c.newName}: a column of that name exists`, 'column');
          fields[i] = { ...fields[i], name: c.newName };
          break;
        }
        case 'widen': {
          const i = find(c.name);
          const from = fields[i].type;
          const to = parsePrimitive(c.type, `column ${c.name}`);
          if (!isPrimitive(from) || !canPromote(from, to)) {
            throw new InvalidInputError(`Cannot change ${c.name} from ${isPrimitive(from) ? primitiveToString(from) : from.kind} to ${c.type}: allowed are int→long, float→double and widening a decimal's precision`, 'column');
          }
          fields[i] = { ...fields[i], type: to };
          break;
        }
        case 'optional': {
          const i = find(c.name);
          fields[i] = { ...fields[i], required: false };
          break;
        }
        case 'delete': {
          const i = find(c.name);
          const id = fields[i].id;
          const used = base.specs.some((s) => s.fields.some((f) => f.sourceId === id)) || base.sortOrders.some((o) => o.fields.some((f) => f.sourceId === id));
          if (used) throw new InvalidInputError(`Cannot delete column ${c.name}: a partition spec or sort order uses it`, 'column');
          fields = fields.filter((_, j) => j !== i);
          break;
        }
      }
    }
    const next = new Schema(Math.max(...base.schemas.map((s) => s.schemaId)) + 1, fields, schema.identifierFieldIds.filter((id) => fields.some((f) => f.id === id)));
    for (const spec of base.specs) if (spec.specId === base.defaultSpecId) spec.validate(next);
    return { schema: next, lastColumnId: lastId };
  }

  /** Commits the new schema as `add-schema` + `set-current-schema` (an equal older schema is made current again). */
  async commit(): Promise<TableState> {
    const start = this.ops.current();
    return commitWithRetry(this.ops, (base) => {
      if (base.metadata.currentSchemaId !== start.metadata.currentSchemaId) {
        throw new CommitConflictError(`The table schema changed (schema ${start.metadata.currentSchemaId} → ${base.metadata.currentSchemaId}) while this schema change was prepared; re-read the table and try again`);
      }
      const { schema, lastColumnId } = this.apply(base.metadata);
      return this.ops.commit(base, applyTableUpdates(base.metadata, setCurrentSchemaUpdates(schema, lastColumnId)));
    });
  }
}
