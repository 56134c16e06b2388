import { quoteIdent, quoteString, type DuckDbSession } from './duckdb-session.ts';
import type { IcebergType, NestedField } from './iceberg-type.ts';
import { duckType } from './parquet-writer.ts';
import type { Schema } from './schema.ts';
import type { TableMetadata } from './table-metadata.ts';

/**
 * Field ids to the names a Parquet file wrote them under. DuckDB maps Parquet field ids to names for
 * top-level columns only and matches members inside structs by name, so a struct member renamed
 * since a file was written (by PyIceberg, Spark, any writer that evolves nested fields) would read
 * as null. Reading such a file with the names it has, then renaming, gives the values.
 */
export type WrittenNames = ReadonlyMap<number, string>;

/** A data file by its URI (which names it for good) and the local copy DuckDB reads. */
export interface FileLocation {
  readonly uri: string;
  readonly localPath: string;
}

/** Looks up the names data files wrote, by URI. */
export type WrittenNamesOf = (files: readonly FileLocation[]) => Promise<ReadonlyMap<string, WrittenNames>>;

/**
 * Whether a member inside a struct (at any depth, in lists and maps too) has had another name in one
 * of the table's schemas than in `read`. Only then do scans look at each file's own names; tables
 * whose nested names never changed read as before, without that look.
 */
export function hasNestedRenames(md: TableMetadata, read: Schema): boolean {
  const current = memberNames(read);
  return md.schemas.some((schema) => [...memberNames(schema)].some(([id, name]) => current.has(id) && current.get(id) !== name));
}

function memberNames(schema: Schema): Map<number, string> {
  const out = new Map<number, string>();
  const walk = (type: IcebergType): void => {
    if (type.kind === 'struct') {
      for (const f of type.fields) {
        out.set(f.id, f.name);
        walk(f.type);
      }
    } else if (type.kind === 'list') walk(type.element);
    else if (type.kind === 'map') {
      walk(type.key);
      walk(type.value);
    }
  };
  for (const f of schema.fields) walk(f.type);
  return out;
}

// Data files never change, so their names are kept by URI; a bound keeps memory flat on big tables.
const KEPT_FILES = 20_000;

/**
 * Reads the names data files gave their fields, by field id, from their Parquet schemas: one DuckDB
 * query for all the files not already known (a query per file cost about 0.8 ms each).
 */
export class WrittenNamesReader {
  private readonly known = new Map<string, WrittenNames>();

  constructor(private readonly session: DuckDbSession) {}

  readonly namesOf: WrittenNamesOf = async (files) => {
    const missing = files.filter((f) => !this.known.has(f.uri));
    if (missing.length > 0) {
      const uriOf = new Map(missing.map((f) => [f.localPath, f.uri]));
      const rows = await this.session.jsonRows(
        `SELECT file_name, name, field_id FROM parquet_schema([${[...uriOf.keys()].map(quoteString).join(', ')}]) WHERE field_id IS NOT NULL`,
      );
      const read = new Map<string, Map<number, string>>([...uriOf.values()].map((uri) => [uri, new Map()]));
      for (const r of rows) read.get(uriOf.get(String(r.file_name))!)?.set(Number(r.field_id), String(r.name));
      for (const [uri, names] of read) {
        this.known.set(uri, names);
        if (this.known.size > KEPT_FILES) this.known.delete(this.known.keys().next().value!);
      }
    }
    return new Map(files.map((f) => [f.uri, this.known.get(f.uri) ?? new Map()]));
  };
}

/**
 * The name a struct member has in the file. A member the file lacks (added since) gets a name no
 * writer uses, so it reads as null and cannot collide with an old name the file still holds.
 */
function nameInFile(field: NestedField, names: WrittenNames): string {
  return names.get(field.id) ?? `__quarry_absent_${field.id}`;
}

/** The DuckDB type a file holds a field's values in: the field's type with struct members named as the file wrote them. */
export function writtenType(type: IcebergType, names: WrittenNames): string {
  switch (type.kind) {
    case 'struct':
      return `STRUCT(${type.fields.map((f) => `${quoteIdent(nameInFile(f, names))} ${writtenType(f.type, names)}`).join(', ')})`;
    case 'list':
      return `${writtenType(type.element, names)}[]`;
    case 'map':
      return `MAP(${writtenType(type.key, names)}, ${writtenType(type.value, names)})`;
    default:
      return duckType(type);
  }
}

function renamedInside(type: IcebergType, names: WrittenNames): boolean {
  switch (type.kind) {
    case 'struct':
      return type.fields.some((f) => nameInFile(f, names) !== f.name || renamedInside(f.type, names));
    case 'list':
      return renamedInside(type.element, names);
    case 'map':
      return renamedInside(type.key, names) || renamedInside(type.value, names);
    default:
      return false;
  }
}

/**
 * An expression that gives `expr` (read as `writtenType`) the read schema's member names: structs
 * are rebuilt member by member (a null struct stays null), lists and maps element by element.
 * Returns `expr` itself when nothing inside was renamed.
 */
export function withCurrentNames(expr: string, type: IcebergType, names: WrittenNames, depth = 0): string {
  if (!renamedInside(type, names)) return expr;
  const item = `__quarry_e${depth}`;
  switch (type.kind) {
    case 'struct': {
      const members = type.fields.map((f) => `${quoteIdent(f.name)} := ${withCurrentNames(`${expr}.${quoteIdent(nameInFile(f, names))}`, f.type, names, depth + 1)}`);
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE struct_pack(${members.join(', ')}) END`;
    }
    case 'list':
      return `list_transform(${expr}, ${item} -> ${withCurrentNames(item, type.element, names, depth + 1)})`;
    case 'map': {
      const key = withCurrentNames(`${item}.key`, type.key, names, depth + 1);
      const value = withCurrentNames(`${item}.value`, type.value, names, depth + 1);
      return `map_from_entries(list_transform(map_entries(${expr}), ${item} -> struct_pack(key := ${key}, value := ${value})))`;
    }
    default:
      return expr;
  }
}
