import { Type } from 'typebox';
import { QualifiedName } from '../qualified-name.ts';

export const CatalogParams = Type.Object({ catalog: Type.String() });
export const DatabaseParams = Type.Object({ catalog: Type.String(), database: Type.String() });
export const TableParams = Type.Object({ catalog: Type.String(), database: Type.String(), table: Type.String() });

/** Path parts → a validated QualifiedName (a bad part is a 400 naming it). */
export function databaseName(params: { catalog: string; database: string }): QualifiedName {
  return QualifiedName.ofDatabase(params.catalog, params.database);
}

export function tableName(params: { catalog: string; database: string; table: string }): QualifiedName {
  return QualifiedName.ofTable(params.catalog, params.database, params.table);
}

/** A query-string boolean that defaults when absent. */
export function flag(defaultValue: boolean) {
  return Type.Optional(Type.Boolean({ default: defaultValue }));
}
