import type { StorageInfo, TableInfo } from './catalog-model.ts';
import type { JsonObject } from './metadata/json-merge.ts';
import type { QualifiedNameInput } from './qualified-name.ts';

// What a change asks of the catalog services, in the catalog's own terms: the routes map Metacat's
// request bodies (routes/metacat-schemas.ts) to these.

/** A table to create, or the parts of one to update. */
export interface TableRequest {
  /** The name the body gives, as sent (it must name the table in the path); absent when not given. */
  readonly givenName?: QualifiedNameInput;
  /** What a client may set: fields, storage, parameters, view (`fields` empty and `metadata` {} when not given). */
  readonly table: TableInfo;
  /** Whether the request sets anything of `table` (fields, storage, parameters or view), not only user metadata. */
  readonly changesTable: boolean;
  readonly definitionMetadata?: JsonObject | null;
  readonly dataMetadata?: JsonObject | null;
}

export interface DatabaseRequest {
  readonly uri?: string;
  readonly metadata?: Record<string, string>;
  readonly definitionMetadata?: JsonObject | null;
}

/** One partition to save; its name (as sent) is parsed and checked against the table by the service. */
export interface PartitionRequest {
  readonly name: QualifiedNameInput;
  readonly serde?: StorageInfo;
  readonly metadata: Record<string, string>;
  readonly definitionMetadata?: JsonObject | null;
  readonly dataMetadata?: JsonObject | null;
}

export interface PartitionsSaveRequest {
  readonly partitions: readonly PartitionRequest[];
  readonly deletes: readonly string[];
  readonly alterIfExists: boolean;
  /** Only the user metadata of the partitions is written. */
  readonly saveMetadataOnly: boolean;
  /** The table's user metadata, merged in the same change. */
  readonly definitionMetadata?: JsonObject | null;
  readonly dataMetadata?: JsonObject | null;
}
