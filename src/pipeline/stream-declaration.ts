import { ConflictError } from '../errors/conflict-error.ts';
import { canPromote, parsePrimitive, primitiveToString, isPrimitive } from '../table/iceberg-type.ts';
import type { Table } from '../table/table.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import type { EventLog } from './event-log.ts';
import { DEAD_LETTER_COLUMNS, deadLetterTable, normalizeDefinition, tableIdentifier, validateStreamName, type StreamDefinition } from './stream-definition.ts';
import type { StoredStream, StreamStore } from './stream-store.ts';

/** Target file size of pipeline tables unless the table says otherwise (compaction merges towards it). */
const TARGET_FILE_BYTES = String(128 * 1024 * 1024);

/**
 * Declares streams: creates the stream's table and dead-letter table through the warehouse (so
 * they are catalog tables like any other), or evolves an existing table compatibly. A change that
 * would break existing rows or readers is a ConflictError naming the field.
 */
export class StreamDeclaration {
  constructor(
    private readonly store: StreamStore,
    private readonly warehouse: Warehouse,
    private readonly log: EventLog,
  ) {}

  async declare(name: string, input: StreamDefinition): Promise<{ stream: StoredStream; created: boolean }> {
    validateStreamName(name);
    const definition = normalizeDefinition(input);
    const previous = await this.store.get(name);
    if (previous?.active && previous.definition.table !== definition.table) {
      throw new ConflictError(`Stream ${JSON.stringify(name)} writes to ${previous.definition.table}; its table cannot change to ${definition.table} (declare a new stream)`, { field: 'table' });
    }
    if (previous?.active && previous.definition.eventTime !== definition.eventTime) {
      throw new ConflictError(`Stream ${JSON.stringify(name)} has event time ${JSON.stringify(previous.definition.eventTime)}; it cannot change to ${JSON.stringify(definition.eventTime)}`, { field: 'eventTime' });
    }
    if (previous?.active && (definition.partitions ?? 1) < (previous.definition.partitions ?? 1)) {
      throw new ConflictError(`Stream ${JSON.stringify(name)} has ${previous.definition.partitions} log partitions; partitions can only grow`, { field: 'partitions' });
    }
    const id = tableIdentifier(definition.table);
    if (await this.warehouse.tableExists(id)) {
      await evolve(await this.warehouse.loadTable(id), definition);
    } else {
      await this.warehouse.createTable(id, {
        schema: definition.fields.map((f) => ({ name: f.name, type: f.type, required: f.required })),
        partitionBy: definition.partitionBy,
        sortBy: definition.sortBy,
        properties: { 'write.target-file-size-bytes': TARGET_FILE_BYTES, 'quarry.pipeline.stream': name },
      });
    }
    const deadId = tableIdentifier(deadLetterTable(definition.table));
    if (!(await this.warehouse.tableExists(deadId))) {
      await this.warehouse.createTable(deadId, {
        schema: DEAD_LETTER_COLUMNS.map((c) => ({ ...c })),
        partitionBy: [{ column: 'received_at', transform: 'hour' }],
        properties: { 'write.target-file-size-bytes': TARGET_FILE_BYTES, 'quarry.pipeline.stream': name },
      });
    }
    await this.log.ensureStream(name, definition.partitions ?? 1);
    await this.store.save(name, definition);
    return { stream: (await this.store.get(name))!, created: !previous?.active };
  }
}

/** Applies the compatible differences between a table and a declaration; throws ConflictError on the first incompatible one. */
async function evolve(table: Table, definition: StreamDefinition): Promise<void> {
  const schema = table.schema();
  const update = table.updateSchema();
  let changes = 0;
  for (const field of definition.fields) {
    const column = schema.findField(field.name);
    const type = parsePrimitive(field.type, field.name);
    if (!column) {
      if (field.required) {
        throw new ConflictError(`Field ${JSON.stringify(field.name)} is new and required: existing rows have no value for it, so add it as optional`, { field: field.name });
      }
      update.addColumn(field.name, field.type);
      changes++;
      continue;
    }
    if (!isPrimitive(column.type)) throw new ConflictError(`Field ${JSON.stringify(field.name)} is a nested column in ${table.name}; it cannot become ${field.type}`, { field: field.name });
    const current = primitiveToString(column.type);
    if (current !== field.type) {
      if (!canPromote(column.type, type)) {
        throw new ConflictError(`Field ${JSON.stringify(field.name)} is ${current} in ${table.name}; changing it to ${field.type} is not a compatible widening (int→long, float→double, decimal precision)`, { field: field.name });
      }
      update.widenColumn(field.name, field.type);
      changes++;
    }
    if (column.required && !field.required) {
      update.makeOptional(field.name);
      changes++;
    } else if (!column.required && field.required) {
      throw new ConflictError(`Field ${JSON.stringify(field.name)} is optional in ${table.name}; it cannot become required (existing rows may lack it)`, { field: field.name });
    }
  }
  const declared = new Set(definition.fields.map((f) => f.name));
  for (const column of schema.fields) {
    if (!declared.has(column.name) && column.required) {
      throw new ConflictError(`Field ${JSON.stringify(column.name)} is required in ${table.name} but missing from the declaration; fields are never dropped`, { field: column.name });
    }
  }
  if (changes > 0) await update.commit();
}
