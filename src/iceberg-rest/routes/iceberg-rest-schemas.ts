import { Type, type TSchema } from 'typebox';
import { REQUIREMENT_TYPES } from '../../table/table-requirements.ts';
import { UPDATE_ACTIONS } from '../../table/table-update.ts';
import { QueryInteger } from '../../http-shared/query-integer.ts';

/**
 * Request and response schemas of the Iceberg REST catalog (apache/iceberg
 * open-api/rest-catalog-open-api.yaml), in TypeBox. They validate requests and feed /openapi.json.
 * Nested Iceberg types (struct/list/map) are checked for shape here and for meaning by the domain
 * code, which names the offending field. 64-bit ids validate as integers: bodies are parsed
 * losslessly for the handlers, and a copy with plain numbers is what these schemas see.
 */

const Int64 = (description?: string) => Type.Integer({ format: 'int64', ...(description ? { description } : {}) });
// One schema with two types, not a union: Ajv's type coercion would turn null into 0 for an integer branch.
const NullableInt64 = () => Type.Unsafe<number | null>({ type: ['integer', 'null'], format: 'int64' });

export const Namespace = Type.Array(Type.String(), { minItems: 1, description: 'Namespace levels, outermost first', examples: [['accounting', 'tax']] });

export const TableIdentifier = Type.Object({ namespace: Namespace, name: Type.String() });

const StringMap = Type.Record(Type.String(), Type.String());

const IcebergType = Type.Union([Type.String({ description: 'A primitive type: long, string, decimal(10,2), fixed[16], …' }), Type.Object({ type: Type.Enum(['struct', 'list', 'map']) })], {
  description: 'A primitive type name, or a struct, list or map object',
});

const StructField = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  type: IcebergType,
  required: Type.Boolean(),
  doc: Type.Optional(Type.String()),
});

export const IcebergSchema = Type.Object({
  type: Type.Literal('struct'),
  'schema-id': Type.Optional(Type.Integer()),
  'identifier-field-ids': Type.Optional(Type.Array(Type.Integer())),
  fields: Type.Array(StructField),
});

const PartitionField = Type.Object({
  'field-id': Type.Optional(Type.Integer()),
  'source-id': Type.Integer(),
  name: Type.String(),
  transform: Type.String({ examples: ['identity', 'day', 'bucket[16]', 'truncate[4]'] }),
});

export const PartitionSpec = Type.Object({ 'spec-id': Type.Optional(Type.Integer()), fields: Type.Array(PartitionField) });

const SortField = Type.Object({
  'source-id': Type.Integer(),
  transform: Type.String(),
  direction: Type.Enum(['asc', 'desc']),
  'null-order': Type.Enum(['nulls-first', 'nulls-last']),
});

export const SortOrder = Type.Object({ 'order-id': Type.Optional(Type.Integer()), fields: Type.Array(SortField) });

const Snapshot = Type.Object({
  'snapshot-id': Int64(),
  'parent-snapshot-id': Type.Optional(NullableInt64()),
  'sequence-number': Type.Optional(Int64()),
  'timestamp-ms': Int64(),
  'manifest-list': Type.String({ description: "Location of the snapshot's manifest list file" }),
  summary: Type.Object({ operation: Type.Enum(['append', 'replace', 'overwrite', 'delete']) }, { additionalProperties: Type.String() }),
  'schema-id': Type.Optional(Type.Integer()),
});

const StatisticsFile = Type.Object({
  'snapshot-id': Int64(),
  'statistics-path': Type.String(),
  'file-size-in-bytes': Int64(),
  'file-footer-size-in-bytes': Int64(),
  'blob-metadata': Type.Array(
    Type.Object({
      type: Type.String(),
      'snapshot-id': Int64(),
      'sequence-number': Int64(),
      fields: Type.Array(Type.Integer()),
      properties: Type.Optional(StringMap),
    }),
  ),
});

const PartitionStatisticsFile = Type.Object({ 'snapshot-id': Int64(), 'statistics-path': Type.String(), 'file-size-in-bytes': Int64() });

/** One variant of a tagged union: the fields it needs besides its tag. */
type Variants = Record<string, Record<string, TSchema>>;

/**
 * A tagged union as the spec writes it (`action`/`type` discriminator), expressed as if/then per tag
 * so a bad variant reports the exact field that is wrong, and an unknown tag reports the tags that
 * exist. The spec requires unknown requirement and update types to be rejected with 400.
 */
function taggedUnion(tag: string, variants: Variants, description: string) {
  const tags = Object.keys(variants);
  return Type.Object(
    { [tag]: Type.Union(tags.map((t) => Type.Literal(t))) },
    {
      description,
      allOf: tags.map((t) => ({
        if: { type: 'object', properties: { [tag]: { const: t } }, required: [tag] },
        then: Type.Object({ [tag]: Type.Literal(t), ...variants[t] }),
      })),
    },
  );
}

const requirementVariants: Variants = {
  'assert-create': {},
  'assert-table-uuid': { uuid: Type.String() },
  'assert-ref-snapshot-id': { ref: Type.String(), 'snapshot-id': NullableInt64() },
  'assert-last-assigned-field-id': { 'last-assigned-field-id': Type.Integer() },
  'assert-current-schema-id': { 'current-schema-id': Type.Integer() },
  'assert-last-assigned-partition-id': { 'last-assigned-partition-id': Type.Integer() },
  'assert-default-spec-id': { 'default-spec-id': Type.Integer() },
  'assert-default-sort-order-id': { 'default-sort-order-id': Type.Integer() },
};

const updateVariants: Variants = {
  'assign-uuid': { uuid: Type.String() },
  'upgrade-format-version': { 'format-version': Type.Integer({ minimum: 1 }) },
  'add-schema': { schema: IcebergSchema, 'last-column-id': Type.Optional(Type.Integer({ deprecated: true })) },
  'set-current-schema': { 'schema-id': Type.Integer({ minimum: -1, description: 'Schema id, or -1 for the schema added earlier in this commit' }) },
  'add-spec': { spec: PartitionSpec },
  'set-default-spec': { 'spec-id': Type.Integer({ minimum: -1 }) },
  'add-sort-order': { 'sort-order': SortOrder },
  'set-default-sort-order': { 'sort-order-id': Type.Integer({ minimum: -1 }) },
  'add-snapshot': { snapshot: Snapshot },
  'set-snapshot-ref': {
    'ref-name': Type.String({ minLength: 1 }),
    type: Type.Enum(['branch', 'tag']),
    'snapshot-id': Int64(),
    'max-ref-age-ms': Type.Optional(Int64()),
    'max-snapshot-age-ms': Type.Optional(Int64()),
    'min-snapshots-to-keep': Type.Optional(Type.Integer()),
  },
  'remove-snapshots': { 'snapshot-ids': Type.Array(Int64()) },
  'remove-snapshot-ref': { 'ref-name': Type.String() },
  'set-location': { location: Type.String({ minLength: 1 }) },
  'set-properties': { updates: StringMap },
  'remove-properties': { removals: Type.Array(Type.String()) },
  'set-statistics': { statistics: StatisticsFile, 'snapshot-id': Type.Optional(Int64()) },
  'remove-statistics': { 'snapshot-id': Int64() },
  'set-partition-statistics': { 'partition-statistics': PartitionStatisticsFile },
  'remove-partition-statistics': { 'snapshot-id': Int64() },
  'remove-partition-specs': { 'spec-ids': Type.Array(Type.Integer()) },
  'remove-schemas': { 'schema-ids': Type.Array(Type.Integer()) },
};

// The domain lists the same tags; a mismatch would let a validated request reach an unknown case.
for (const [schemaTags, domainTags] of [
  [Object.keys(requirementVariants), REQUIREMENT_TYPES],
  [Object.keys(updateVariants), UPDATE_ACTIONS],
] as const) {
  if (schemaTags.join() !== domainTags.join()) throw new Error(`Iceberg REST schemas and domain disagree: ${schemaTags.join()} vs ${domainTags.join()}`);
}

export const TableRequirement = taggedUnion('type', requirementVariants, 'An assertion about the table the commit changes');
export const TableUpdate = taggedUnion('action', updateVariants, 'A change to the table metadata');

export const CommitTableRequest = Type.Object({
  identifier: Type.Optional(TableIdentifier),
  requirements: Type.Array(TableRequirement),
  updates: Type.Array(TableUpdate),
});

export const CommitTransactionRequest = Type.Object({
  'table-changes': Type.Array(
    Type.Object({ identifier: TableIdentifier, requirements: Type.Array(TableRequirement), updates: Type.Array(TableUpdate) }),
    { minItems: 1 },
  ),
});

export const CreateNamespaceRequest = Type.Object({ namespace: Namespace, properties: Type.Optional(StringMap) });

export const UpdateNamespacePropertiesRequest = Type.Object({
  removals: Type.Optional(Type.Array(Type.String(), { uniqueItems: true })),
  updates: Type.Optional(StringMap),
});

export const RenameTableRequest = Type.Object({ source: TableIdentifier, destination: TableIdentifier });

export const CreateTableRequest = Type.Object({
  name: Type.String(),
  location: Type.Optional(Type.String({ minLength: 1 })),
  schema: IcebergSchema,
  'partition-spec': Type.Optional(PartitionSpec),
  'write-order': Type.Optional(SortOrder),
  'stage-create': Type.Optional(Type.Boolean()),
  properties: Type.Optional(StringMap),
});

export const RegisterTableRequest = Type.Object({
  name: Type.String(),
  'metadata-location': Type.String({ minLength: 1 }),
  overwrite: Type.Optional(Type.Boolean()),
});

export const ReportMetricsRequest = Type.Object({ 'report-type': Type.String() }, { description: 'A scan or commit report; accepted and discarded' });

// ---- parameters

export const NamespaceParams = Type.Object({ namespace: Type.String({ description: 'Namespace levels joined by the unit separator 0x1F (%1F)' }) });
export const TableParams = Type.Object({ namespace: NamespaceParams.properties.namespace, table: Type.String() });

export const PageQuery = {
  pageToken: Type.Optional(Type.String({ description: 'Opaque token from next-page-token; empty to start paging' })),
  pageSize: Type.Optional(QueryInteger({ minimum: 1 })),
};

// Clients write booleans as Python and Java print them; accept any case.
export const QueryBoolean = Type.Enum(['true', 'false', 'True', 'False', 'TRUE', 'FALSE']);

// ---- responses

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      message: Type.String(),
      type: Type.String({ examples: ['NoSuchTableException'] }),
      code: Type.Integer({ minimum: 400, maximum: 600 }),
    }),
  },
  { description: 'Every non-2xx response' },
);

export const CatalogConfig = Type.Object({ defaults: StringMap, overrides: StringMap, endpoints: Type.Array(Type.String()) });

export const ListNamespacesResponse = Type.Object({ namespaces: Type.Array(Namespace), 'next-page-token': Type.Optional(Type.Union([Type.String(), Type.Null()])) });

export const NamespaceResponse = Type.Object({ namespace: Namespace, properties: StringMap });

export const UpdateNamespacePropertiesResponse = Type.Object({ updated: Type.Array(Type.String()), removed: Type.Array(Type.String()), missing: Type.Array(Type.String()) });

export const ListTablesResponse = Type.Object({ identifiers: Type.Array(TableIdentifier), 'next-page-token': Type.Optional(Type.Union([Type.String(), Type.Null()])) });

export const LoadTableResult = Type.Object(
  {
    'metadata-location': Type.Union([Type.String(), Type.Null()], { description: 'Null for a staged create' }),
    metadata: Type.Object({ 'format-version': Type.Integer(), 'table-uuid': Type.String() }, { description: 'The table metadata, as in its metadata.json' }),
    config: StringMap,
  },
  { description: 'Sent pre-serialized: 64-bit snapshot ids are written exactly' },
);

export const CommitTableResponse = Type.Object({ 'metadata-location': Type.String(), metadata: LoadTableResult.properties.metadata });
