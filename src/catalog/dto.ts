import { Type, type Static } from 'typebox';

/**
 * Metacat's JSON shapes (reference/metacat.md §1 "DTOs"), as TypeBox schemas: the routes validate
 * requests with them and the OpenAPI document is generated from them. Field names are exact. Unknown
 * properties are accepted and ignored, because Metacat clients send computed fields back
 * (`partition_keys`, `dataExternal`, …); known ones are type-checked.
 */

const Loose = { additionalProperties: true } as const;
const Strings = Type.Record(Type.String(), Type.String());
const JsonDocument = Type.Record(Type.String(), Type.Unknown(), { description: 'Free-form JSON object.' });
const DateValue = Type.Union([Type.String(), Type.Number(), Type.Null()], { description: 'ISO-8601 date or epoch milliseconds.' });
const OptionalString = Type.Optional(Type.Union([Type.String(), Type.Null()]));
const OptionalBoolean = Type.Optional(Type.Union([Type.Boolean(), Type.Null()]));

export const QualifiedNameSchema = Type.Object(
  {
    qualifiedName: Type.Optional(Type.String()),
    catalogName: Type.Optional(Type.String()),
    databaseName: Type.Optional(Type.String()),
    tableName: Type.Optional(Type.String()),
    partitionName: Type.Optional(Type.String()),
    viewName: Type.Optional(Type.String()),
  },
  { ...Loose, description: 'A qualified name: its parts, or the `qualifiedName` string c/d/t[/p].' },
);

export const AuditSchema = Type.Object(
  {
    createdBy: OptionalString,
    createdDate: Type.Optional(DateValue),
    lastModifiedBy: OptionalString,
    lastModifiedDate: Type.Optional(DateValue),
  },
  Loose,
);

export const FieldSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, pattern: '\\S' }),
    type: OptionalString,
    source_type: OptionalString,
    jsonType: Type.Optional(Type.Unknown()),
    partition_key: OptionalBoolean,
    pos: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    comment: OptionalString,
    isNullable: OptionalBoolean,
    size: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
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
    parameters: Type.Optional(Type.Union([Strings, Type.Null()])),
    serdeInfoParameters: Type.Optional(Type.Union([Strings, Type.Null()])),
  },
  Loose,
);

export const ViewSchema = Type.Object({ viewOriginalText: OptionalString, viewExpandedText: OptionalString }, Loose);

export const TableDtoSchema = Type.Object(
  {
    name: Type.Optional(QualifiedNameSchema),
    audit: Type.Optional(Type.Union([AuditSchema, Type.Null()])),
    fields: Type.Optional(Type.Union([Type.Array(FieldSchema), Type.Null()])),
    serde: Type.Optional(Type.Union([StorageSchema, Type.Null()])),
    metadata: Type.Optional(Type.Union([Strings, Type.Null()])),
    view: Type.Optional(Type.Union([ViewSchema, Type.Null()])),
    definitionMetadata: Type.Optional(Type.Union([JsonDocument, Type.Null()])),
    dataMetadata: Type.Optional(Type.Union([JsonDocument, Type.Null()])),
  },
  { ...Loose, description: 'TableDto' },
);

export const DatabaseCreateRequestSchema = Type.Object(
  {
    definitionMetadata: Type.Optional(Type.Union([JsonDocument, Type.Null()])),
    metadata: Type.Optional(Type.Union([Strings, Type.Null()])),
    uri: OptionalString,
  },
  { ...Loose, description: 'DatabaseCreateRequestDto' },
);

export const CreateCatalogSchema = Type.Object(
  { name: Type.Optional(QualifiedNameSchema), type: OptionalString, definitionMetadata: Type.Optional(Type.Union([JsonDocument, Type.Null()])) },
  { ...Loose, description: 'CreateCatalogDto' },
);

export const PartitionDtoSchema = Type.Object(
  {
    name: QualifiedNameSchema,
    audit: Type.Optional(Type.Union([AuditSchema, Type.Null()])),
    serde: Type.Optional(Type.Union([StorageSchema, Type.Null()])),
    metadata: Type.Optional(Type.Union([Strings, Type.Null()])),
    definitionMetadata: Type.Optional(Type.Union([JsonDocument, Type.Null()])),
    dataMetadata: Type.Optional(Type.Union([JsonDocument, Type.Null()])),
  },
  { ...Loose, description: 'PartitionDto' },
);

export const PartitionsSaveRequestSchema = Type.Object(
  {
    partitions: Type.Optional(Type.Union([Type.Array(PartitionDtoSchema), Type.Null()])),
    partitionIdsForDeletes: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
    checkIfExists: OptionalBoolean,
    alterIfExists: OptionalBoolean,
    saveMetadataOnly: OptionalBoolean,
    definitionMetadata: Type.Optional(Type.Union([JsonDocument, Type.Null()])),
    dataMetadata: Type.Optional(Type.Union([JsonDocument, Type.Null()])),
  },
  { ...Loose, description: 'PartitionsSaveRequestDto' },
);

export const GetPartitionsRequestSchema = Type.Object(
  {
    filter: OptionalString,
    partitionNames: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
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
  { name: QualifiedNameSchema, deleteAll: OptionalBoolean, tags: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])) },
  { ...Loose, description: 'TagRemoveRequestDto' },
);

export const DataMetadataRequestSchema = Type.Object({ uri: Type.String({ minLength: 1 }) }, { ...Loose, description: 'DataMetadataDto request' });

export type QualifiedNameDto = Static<typeof QualifiedNameSchema>;
export type AuditDto = Static<typeof AuditSchema>;
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
