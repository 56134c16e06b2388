import { InvalidInputError } from '../../errors/invalid-input-error.ts';
import { PartitionSpec, FIRST_PARTITION_FIELD_ID } from '../../table/partition-spec.ts';
import { Schema } from '../../table/schema.ts';
import { SortOrder } from '../../table/sort-order.ts';
import type { TableMetadata } from '../../table/table-metadata.ts';
import { checkSortOrder, newTableMetadata, SUPPORTED_FORMAT_VERSION } from '../../table/metadata-builder.ts';

/** The body of a create-table request (REST spec "CreateTableRequest"). */
export interface CreateTableRequest {
  name: string;
  location?: string;
  schema: unknown;
  'partition-spec'?: { fields: Record<string, unknown>[] };
  'write-order'?: { fields: Record<string, unknown>[] };
  'stage-create'?: boolean;
  properties?: Record<string, string>;
}

/**
 * The first metadata of a table created by request. As Iceberg's own catalogs do, the schema gets
 * fresh field ids (1, 2, … top-level first) and the spec and sort order are rebound to them by
 * column name, so clients may send ids from anywhere. `format-version` is a request, not a property.
 */
export function newTableFromRequest(request: CreateTableRequest, location: string): TableMetadata {
  const given = Schema.fromJson(request.schema);
  const schema = freshSchema(given);
  const newId = (oldId: number, where: string): number => {
    const name = given.nameOf(oldId);
    const field = name === undefined ? undefined : schema.findField(name);
    if (!field) throw new InvalidInputError(`${where} refers to column id ${oldId}, which the schema lacks`, where);
    return field.id;
  };
  const specFields = (request['partition-spec']?.fields ?? []).map((f, i) => ({
    ...f,
    'source-id': newId(Number(f['source-id']), `partition-spec.fields[${i}].source-id`),
    'field-id': FIRST_PARTITION_FIELD_ID + i,
  }));
  const spec = PartitionSpec.fromJson({ 'spec-id': 0, fields: specFields }, schema, 'partition-spec');
  const orderFields = (request['write-order']?.fields ?? []).map((f, i) => ({ ...f, 'source-id': newId(Number(f['source-id']), `write-order.fields[${i}].source-id`) }));
  const order = SortOrder.fromJson({ 'order-id': orderFields.length > 0 ? 1 : 0, fields: orderFields });
  checkSortOrder(order, schema);
  const properties = { ...(request.properties ?? {}) };
  const version = properties['format-version'];
  if (version !== undefined && Number(version) !== SUPPORTED_FORMAT_VERSION) {
    throw new InvalidInputError(`Property format-version ${JSON.stringify(version)} is not supported; Quarry writes format version ${SUPPORTED_FORMAT_VERSION}`, 'properties.format-version');
  }
  delete properties['format-version'];
  return newTableMetadata({ location, schema, spec, sortOrder: order, properties });
}

function freshSchema(given: Schema): Schema {
  const columns = given.fields.map((f) => ({ name: f.name, type: f.type, required: f.required, ...(f.doc !== undefined ? { doc: f.doc } : {}) }));
  const fresh = Schema.fromColumns(columns);
  const identifiers = given.identifierFieldIds.map((id) => fresh.findField(given.nameOf(id) ?? '')?.id ?? -1);
  if (identifiers.includes(-1)) throw new InvalidInputError('schema.identifier-field-ids must name fields of structs (not of lists or maps)', 'schema.identifier-field-ids');
  return new Schema(0, fresh.fields, identifiers);
}
