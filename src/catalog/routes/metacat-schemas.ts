import { Type, type Static } from 'typebox';

/**
 * Metacat's JSON shapes (reference/metacat.md §1 "DTOs"), as TypeBox schemas: the routes validate
 * requests with them and the OpenAPI document is generated from them. Field names are exact. Unknown
 * properties are accepted and ignored, because Metacat clients send computed fields back
 * (`partition_keys`, `dataExternal`, …); known ones are type-checked.
 */

const Loose = { additionalProperties: true } as const;
/** Jackson-based clients send absent values as null; `nullable` accepts them with the field's own type check. */
const OrNull = { nullable: true } as const;
const Strings = Type.Record(Type.String(), Type.String(), OrNull);
const JsonDocument = Type.Record(Type.String(), Type.Unknown(), { ...OrNull, description: 'Free-form JSON object.' });
const OptionalString = Type.Optional(Type.String(OrNull));
const OptionalBoolean = Type.Optional(Type.Boolean(OrNull));
const OptionalInteger = Type.Optional(Type.Integer(OrNull));
const DateValue = Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Null()], { description: 'ISO-8601 date or epoch milliseconds.' }));

const qualifiedNameProperties = {
  qualifiedName: OptionalString,
  catalogName: OptionalString,
  databaseName: OptionalString,
  tableName: OptionalString,
  partitionName: OptionalString,
  viewName: OptionalString,
};
const QN_DESCRIPTION = 'A qualified name: its parts, or the `qualifiedName` string c/d/t[/p].';
export const QualifiedNameSchema = Type.Object(qualifiedNameProperties, { ...Loose, description: QN_DESCRIPTION });
const OptionalQualifiedName = Type.Optional(Type.Object(qualifiedNameProperties, { ...Loose, ...OrNull, description: QN_DESCRIPTION }));

const OptionalAudit = Type.Optional(
  Type.Object({ createdBy: OptionalString, createdDate: DateValue, lastModifiedBy: OptionalString, lastModifiedDate: DateValue }, { ...Loose, ...OrNull }),
);

export const FieldSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '\\S' }),
    type: OptionalString,
    source_type: OptionalString,
    jsonType: Type.Optional(Type.Unknown()),
    partition_key: OptionalBoolean,
    pos: OptionalInteger,
    comment: OptionalString,
    isNullable: OptionalBoolean,
    size: OptionalInteger,
    defaultValue: OptionalString,
    isSortKey: OptionalBoolean,
    isIndexKey: OptionalBoolean,
  },
  Loose,
);

export const StorageSchema = Type.Object(
  {
    inputFormat: OptionalString,
    outputFormat: OptionalString,
    serializationLib: OptionalString,
    owner: OptionalString,
    uri: OptionalString,
    parameters: Type.Optional(Strings),
    serdeInfoParameters: Type.Optional(Strings),
  },
  { ...Loose, ...OrNull },
);

const OptionalView = Type.Optional(Type.Object({ viewOriginalText: OptionalString, viewExpandedText: OptionalString }, { ...Loose, ...OrNull }));

export const TableDtoSchema = Type.Object(
  {
    name: OptionalQualifiedName,
    audit: OptionalAudit,
    fields: Type.Optional(Type.Array(FieldSchema, OrNull)),
    serde: Type.Optional(StorageSchema),
    metadata: Type.Optional(Strings),
    view: OptionalView,
    definitionMetadata: Type.Optional(JsonDocument),
    dataMetadata: Type.Optional(JsonDocument),
  },
  { ...Loose, description: 'TableDto' },
);

export const DatabaseCreateRequestSchema = Type.Object(
  {
    definitionMetadata: Type.Optional(JsonDocument),
    metadata: Type.Optional(Strings),
    uri: OptionalString,
  },
  { ...Loose, description: 'DatabaseCreateRequestDto' },
);

export const CreateCatalogSchema = Type.Object(
  { name: OptionalQualifiedName, type: OptionalString, definitionMetadata: Type.Optional(JsonDocument) },
  { ...Loose, description: 'CreateCatalogDto' },
);

export const PartitionDtoSchema = Type.Object(
  {
    name: QualifiedNameSchema,
    audit: OptionalAudit,
    serde: Type.Optional(StorageSchema),
    metadata: Type.Optional(Strings),
    definitionMetadata: Type.Optional(JsonDocument),
    dataMetadata: Type.Optional(JsonDocument),
  },
  { ...Loose, description: 'PartitionDto' },
);

export const PartitionsSaveRequestSchema = Type.Object(
  {
    partitions: Type.Optional(Type.Array(PartitionDtoSchema, OrNull)),
    partitionIdsForDeletes: Type.Optional(Type.Array(Type.String(), OrNull)),
    checkIfExists: OptionalBoolean,
    alterIfExists: OptionalBoolean,
    saveMetadataOnly: OptionalBoolean,
    definitionMetadata: Type.Optional(JsonDocument),
    dataMetadata: Type.Optional(JsonDocument),
  },
  { ...Loose, description: 'PartitionsSaveRequestDto' },
);

export const GetPartitionsRequestSchema = Type.Object(
  {
    filter: OptionalString,
    partitionNames: Type.Optional(Type.Array(Type.String(), OrNull)),
    includePartitionDetails: OptionalBoolean,
    includeAuditOnly: OptionalBoolean,
  },
  { ...Loose, description: 'GetPartitionsRequestDto' },
);

export const TagCreateRequestSchema = Type.Object(
  { name: QualifiedNameSchema, tags: Type.Array(Type.String({ minLength: 1 })) },
  { ...Loose, description: 'TagCreateRequestDto' },
);

export const TagRemoveRequestSchema = Type.Object(
  { name: QualifiedNameSchema, deleteAll: OptionalBoolean, tags: Type.Optional(Type.Array(Type.String(), OrNull)) },
  { ...Loose, description: 'TagRemoveRequestDto' },
);

export const DataMetadataRequestSchema = Type.Object({ uri: Type.String({ minLength: 1 }) }, { ...Loose, description: 'DataMetadataDto request' });

export type QualifiedNameDto = Static<typeof QualifiedNameSchema>;
export type FieldDto = Static<typeof FieldSchema>;
export type StorageDto = Static<typeof StorageSchema>;
export type TableDto = Static<typeof TableDtoSchema>;
export type DatabaseCreateRequestDto = Static<typeof DatabaseCreateRequestSchema>;
export type CreateCatalogDto = Static<typeof CreateCatalogSchema>;
export type PartitionDto = Static<typeof PartitionDtoSchema>;
export type PartitionsSaveRequestDto = Static<typeof PartitionsSaveRequestSchema>;
export type GetPartitionsRequestDto = Static<typeof GetPartitionsRequestSchema>;
export type TagCreateRequestDto = Static<typeof TagCreateRequestSchema>;
export type TagRemoveRequestDto = Static<typeof TagRemoveRequestSchema>;
