import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import type { DataFile } from './data-file.ts';
import { quoteIdent, quoteString, type DuckDbSession } from './duckdb-session.ts';
import type { FileIO } from './file-io.ts';
import { LocationProvider } from './location-provider.ts';
import { isPrimitive, type IcebergType, type NestedField, type PrimitiveType } from './iceberg-type.ts';
import type { PartitionSpec, PartitionTuple } from './partition-spec.ts';
import type { Schema } from './schema.ts';
import { currentSchema, defaultSortOrder, defaultSpec, type TableMetadata } from './table-metadata.ts';
import { transformSql } from './transform.ts';
import { parseDate, parseTimestamp, serializeValue, toIcebergValue, type IcebergValue } from './values.ts';

export interface WriteOptions {
  /** Aim for files of about this size (DuckDB's FILE_SIZE_BYTES); default the table's write.target-file-size-bytes or 512 MiB. */
  targetFileSizeBytes?: number;
  /** Rows per Parquet row group; default write.parquet.row-group-size-rows or 122,880 (DuckDB's). */
  rowGroupSize?: number;
}

/** Bounds of string columns are cut to this many characters, as Iceberg's default metrics mode does. */
const STRING_BOUND_LENGTH = 16;

/**
 * Writes rows (any DuckDB relation: a query, a staged file) as zstd Parquet data files for a table:
 * columns cast to the table schema and tagged with Iceberg field ids, rows split by partition and
 * sorted by the table's sort order within each file, files cut at the target size. Returns the
 * DataFiles with partition tuples and column metrics, ready to commit. The files are uploaded to the
 * table's data location but not yet part of the table.
 */
export async function writeDataFiles(session: DuckDbSession, io: FileIO, metadata: TableMetadata, sourceSql: string, options: WriteOptions = {}): Promise<DataFile[]> {
  const schema = currentSchema(metadata);
  const spec = defaultSpec(metadata);
  const order = defaultSortOrder(metadata);
  const targetBytes = options.targetFileSizeBytes ?? Number(metadata.properties['write.target-file-size-bytes'] ?? 512 * 1024 * 1024);
  const rowGroupSize = options.rowGroupSize ?? Number(metadata.properties['write.parquet.row-group-size-rows'] ?? 122_880);
  const id = randomUUID().replaceAll('-', '').slice(0, 12);
  const stage = `quarry_stage_${id}`;
  const groups = `quarry_groups_${id}`;
  const local = mkdtempSync(path.join(os.tmpdir(), 'quarry-write-'));
  const uploaded: string[] = [];
  try {
    const sourceColumns = new Set((await session.jsonRows(`DESCRIBE SELECT * FROM (${sourceSql})`)).map((r) => String(r.column_name)));
    for (const name of sourceColumns) {
      if (!schema.fields.some((f) => f.name === name)) {
        throw new InvalidInputError(`Input column ${JSON.stringify(name)} is not in the table schema (columns: ${schema.fields.map((f) => f.name).join(', ')})`, 'columns');
      }
    }
    const projections = schema.fields.map((f) => {
      if (!sourceColumns.has(f.name)) {
        if (f.required) throw new InvalidInputError(`Input lacks required column ${JSON.stringify(f.name)}`, 'columns');
        return `NULL::${duckType(f.type)} AS ${quoteIdent(f.name)}`;
      }
      return `CAST(${quoteIdent(f.name)} AS ${duckType(f.type)}) AS ${quoteIdent(f.name)}`;
    });
    const partitionTypes = spec.fieldTypes(schema);
    const partitionCols = partitionTypes.map((p, i) => `${transformSql(p.field.transform, p.source, quoteIdent(schema.fieldById(p.field.sourceId)!.name))} AS __p${i}`);
    await session.run(`CREATE TEMP TABLE ${stage}_raw AS SELECT ${projections.join(', ')} FROM (${sourceSql})`);
    for (const f of schema.fields.filter((f) => f.required)) {
      const [row] = await session.jsonRows(`SELECT count(*) AS n FROM ${stage}_raw WHERE ${quoteIdent(f.name)} IS NULL`);
      if (Number(row.n) > 0) throw new InvalidInputError(`Required column ${JSON.stringify(f.name)} has ${String(row.n)} null value(s)`, f.name);
    }
    // DuckDB has no fixed-length binary type, so fixed[L] travels as BLOB: check every value's length.
    for (const f of schema.fields) {
      if (f.type.kind !== 'fixed') continue;
      const [row] = await session.jsonRows(`SELECT count(*) AS n FROM ${stage}_raw WHERE octet_length(${quoteIdent(f.name)}) <> ${f.type.length}`);
      if (Number(row.n) > 0) throw new InvalidInputError(`Column ${JSON.stringify(f.name)} is fixed[${f.type.length}], but ${String(row.n)} value(s) have another length`, f.name);
    }
    const sortSql = order.fields.map((sf) => {
      const source = schema.fieldById(sf.sourceId);
      if (!source || !isPrimitive(source.type)) return undefined;
      const expr = sf.transform.kind === 'identity' ? quoteIdent(source.name) : transformSql(sf.transform, source.type, quoteIdent(source.name));
      return `${expr} ${sf.direction.toUpperCase()} ${sf.nullOrder === 'nulls-first' ? 'NULLS FIRST' : 'NULLS LAST'}`;
    }).filter((s): s is string => s !== undefined);

    const columnList = schema.fields.map((f) => quoteIdent(f.name)).join(', ');
    let groupValues: PartitionTuple[] = [[]];
    if (partitionCols.length > 0) {
      await session.run(`CREATE TEMP TABLE ${stage}_parts AS SELECT *, ${partitionCols.join(', ')} FROM ${stage}_raw`);
      await session.run(`DROP TABLE ${stage}_raw`);
      const keys = partitionTypes.map((_, i) => `__p${i}`);
      await session.run(`CREATE TEMP TABLE ${groups} AS SELECT row_number() OVER () AS __g, * FROM (SELECT DISTINCT ${keys.join(', ')} FROM ${stage}_parts)`);
      const joined = keys.map((k) => `s.${k} IS NOT DISTINCT FROM g.${k}`).join(' AND ');
      await session.run(
        `CREATE TEMP TABLE ${stage} AS SELECT ${schema.fields.map((f) => `s.${quoteIdent(f.name)}`).join(', ')}, g.__g FROM ${stage}_parts s JOIN ${groups} g ON ${joined} ORDER BY g.__g${sortSql.length ? `, ${sortSql.map((x) => x.replace(/"([^"]+)"/g, 's."$1"')).join(', ')}` : ''}`,
      );
      await session.run(`DROP TABLE ${stage}_parts`);
      const rows = await session.rows(`SELECT __g, ${keys.join(', ')} FROM ${groups} ORDER BY __g`);
      groupValues = rows.map((r) => partitionTypes.map((p, i) => fromDuck(p.result, r[`__p${i}`])));
    } else {
      await session.run(`CREATE TEMP TABLE ${stage} AS SELECT *, 1 AS __g FROM ${stage}_raw${sortSql.length ? ` ORDER BY ${sortSql.join(', ')}` : ''}`);
      await session.run(`DROP TABLE ${stage}_raw`);
    }

    const fieldIds = `{${schema.fields.map((f) => `${quoteIdent(f.name)}: ${fieldIdSpec(f)}`).join(', ')}}`;
    const files: DataFile[] = [];
    for (const [g, tuple] of groupValues.entries()) {
      const dir = path.join(local, `g${g + 1}`);
      const written = await session.jsonRows(
        `COPY (SELECT ${columnList} FROM ${stage} WHERE __g = ${g + 1}) TO ${quoteString(dir)} ` +
          `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroupSize}, FILE_SIZE_BYTES ${targetBytes}, FIELD_IDS ${fieldIds}, RETURN_STATS true, FILENAME_PATTERN 'data_{uuid}')`,
      );
      for (const file of written) {
        // A partition or source with no rows may still produce an empty file; it holds nothing to commit.
        if (Number(file.count) === 0) continue;
        const uri = dataFileUri(metadata, spec, schema, tuple);
        uploaded.push(uri);
        await io.upload(String(file.filename), uri);
        files.push({
          content: 0,
          filePath: uri,
          fileFormat: 'PARQUET',
          specId: spec.specId,
          partition: tuple,
          recordCount: Number(file.count),
          fileSizeInBytes: Number(file.file_size_bytes),
          ...metricsFrom(schema, file.column_statistics),
          ...(order.isUnsorted() ? {} : { sortOrderId: order.orderId }),
        });
      }
    }
    return files;
  } catch (error) {
    // Files already uploaded belong to no snapshot: remove them, or every failed try leaves orphans.
    await Promise.all(uploaded.map((uri) => io.delete(uri).catch(() => undefined)));
    throw error;
  } finally {
    for (const t of [stage, `${stage}_raw`, `${stage}_parts`, groups]) await session.run(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    rmSync(local, { recursive: true, force: true });
  }
}

/** A new file's location, in its partition's folder (`ts_day=2024-01-02/`) where the table's location provider puts it. */
export function dataFileUri(metadata: TableMetadata, spec: PartitionSpec, schema: Schema, tuple: PartitionTuple, prefix = ''): string {
  const partitionPath = spec.fields.length > 0 ? spec.partitionPath(schema, tuple) : '';
  return LocationProvider.of(metadata).newDataLocation(`${prefix}${randomUUID()}.parquet`, partitionPath);
}

/** A relation over JS row objects (column name → value), staged as NDJSON with the schema's types. */
export function rowsSource(rows: readonly Record<string, unknown>[], schema: Schema, dir: string): string {
  const file = path.join(dir, `rows-${randomUUID()}.json`);
  const lines = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)));
  writeFileSync(file, lines.join('\n') + '\n');
  const present = new Set(rows.flatMap((r) => Object.keys(r)));
  const columns = schema.fields.filter((f) => present.has(f.name)).map((f) => `${quoteString(f.name)}: ${quoteString(jsonStagingType(f.type))}`);
  for (const name of present) if (!schema.findField(name)) throw new InvalidInputError(`Row column ${JSON.stringify(name)} is not in the table schema`, 'rows');
  // Bytes were written as hex text; a plain cast to BLOB would keep the hex digits as the bytes.
  const bytes = schema.fields.filter((f) => present.has(f.name) && (f.type.kind === 'binary' || f.type.kind === 'fixed')).map((f) => `unhex(${quoteIdent(f.name)}) AS ${quoteIdent(f.name)}`);
  return `SELECT *${bytes.length ? ` REPLACE (${bytes.join(', ')})` : ''} FROM read_json(${quoteString(file)}, format = 'newline_delimited', columns = {${columns.join(', ')}})`;
}

function jsonStagingType(type: IcebergType): string {
  // Bytes travel as hex text, decoded with unhex in rowsSource's projection.
  if (type.kind === 'binary' || type.kind === 'fixed') return 'VARCHAR';
  return duckType(type);
}

/** DuckDB's type for an Iceberg type. */
export function duckType(type: IcebergType): string {
  switch (type.kind) {
    case 'boolean':
      return 'BOOLEAN';
    case 'int':
      return 'INTEGER';
    case 'long':
      return 'BIGINT';
    case 'float':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'date':
      return 'DATE';
    case 'time':
      return 'TIME';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'timestamptz':
      return 'TIMESTAMPTZ';
    case 'string':
      return 'VARCHAR';
    case 'uuid':
      return 'UUID';
    case 'fixed':
    case 'binary':
      return 'BLOB';
    case 'struct':
      return `STRUCT(${type.fields.map((f) => `${quoteIdent(f.name)} ${duckType(f.type)}`).join(', ')})`;
    case 'list':
      return `${duckType(type.element)}[]`;
    case 'map':
      return `MAP(${duckType(type.key)}, ${duckType(type.value)})`;
  }
}

/** DuckDB's FIELD_IDS value for a column: the id, or a struct of ids for nested types. */
function fieldIdSpec(field: NestedField): string {
  const nested = (type: IcebergType): string[] => {
    if (type.kind === 'struct') return type.fields.map((f) => `${quoteIdent(f.name)}: ${fieldIdSpec(f)}`);
    if (type.kind === 'list') return [`element: ${fieldIdSpec({ id: type.elementId, name: 'element', required: type.elementRequired, type: type.element })}`];
    if (type.kind === 'map') {
      return [
        `key: ${fieldIdSpec({ id: type.keyId, name: 'key', required: true, type: type.key })}`,
        `value: ${fieldIdSpec({ id: type.valueId, name: 'value', required: type.valueRequired, type: type.value })}`,
      ];
    }
    return [];
  };
  const children = nested(field.type);
  return children.length === 0 ? String(field.id) : `{__duckdb_field_id: ${field.id}, ${children.join(', ')}}`;
}

/** Converts a value DuckDB returned for an internalSql expression to the internal representation. */
function fromDuck(type: PrimitiveType, value: unknown): IcebergValue | null {
  if (value === null || value === undefined) return null;
  switch (type.kind) {
    case 'int':
    case 'date':
      return Number(value);
    case 'long':
    case 'time':
    case 'timestamp':
    case 'timestamptz':
      return BigInt(value as bigint);
    case 'decimal':
    case 'uuid':
      return toIcebergValue(type, String(value), 'partition value');
    case 'fixed':
    case 'binary':
      return new Uint8Array((value as { bytes: Uint8Array }).bytes);
    case 'float':
    case 'double':
      return Number(value);
    default:
      return value as IcebergValue;
  }
}

type StatsEntry = { key: string; value: { key: string; value: string }[] };

/**
 * Iceberg metrics from DuckDB's RETURN_STATS column statistics, keyed by field id. Statistics come
 * per Parquet leaf column (`"s"."a"` for a struct field, `"l"."element"`, `"m"."key"`). Top-level
 * and struct leaves get sizes, value and null counts and bounds; leaves inside a list or map get
 * only their size, because Parquet counts their values per element and null slots per level, which
 * is not what Iceberg's per-row counts and bounds mean to a reader.
 */
function metricsFrom(schema: Schema, raw: unknown): Partial<DataFile> {
  const columnSizes = new Map<number, number>();
  const valueCounts = new Map<number, number>();
  const nullValueCounts = new Map<number, number>();
  const lowerBounds = new Map<number, Uint8Array>();
  const upperBounds = new Map<number, Uint8Array>();
  for (const entry of (raw as StatsEntry[] | null) ?? []) {
    const leaf = leafOf(schema, statsPath(entry.key));
    if (!leaf) continue;
    const stats = Object.fromEntries(entry.value.map((v) => [v.key, v.value]));
    if (stats.column_size_bytes !== undefined) columnSizes.set(leaf.id, Number(stats.column_size_bytes));
    if (leaf.repeated) continue;
    if (stats.num_values !== undefined) valueCounts.set(leaf.id, Number(stats.num_values));
    if (stats.null_count !== undefined) nullValueCounts.set(leaf.id, Number(stats.null_count));
    const lower = stats.min !== undefined ? boundFrom(leaf.type, stats.min, 'lower') : undefined;
    const upper = stats.max !== undefined ? boundFrom(leaf.type, stats.max, 'upper') : undefined;
    if (lower && upper) {
      lowerBounds.set(leaf.id, lower);
      upperBounds.set(leaf.id, upper);
    }
  }
  return { columnSizes, valueCounts, nullValueCounts, lowerBounds, upperBounds };
}

/** `"a"."b""c"` → ['a', 'b"c']. */
function statsPath(key: string): string[] {
  const parts: string[] = [];
  const re = /"((?:[^"]|"")*)"|([^."]+)/g;
  for (let m = re.exec(key); m; m = re.exec(key)) parts.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : m[2]);
  return parts;
}

/** The primitive field a Parquet leaf path names, and whether a list or map lies on the way. */
function leafOf(schema: Schema, names: string[]): { id: number; type: PrimitiveType; repeated: boolean } | undefined {
  let field = schema.fields.find((f) => f.name === names[0]);
  let repeated = false;
  for (const name of names.slice(1)) {
    if (!field) return undefined;
    const type: IcebergType = field.type;
    if (type.kind === 'struct') field = type.fields.find((f) => f.name === name);
    else if (type.kind === 'list') {
      repeated = true;
      field = { id: type.elementId, name, required: type.elementRequired, type: type.element };
    } else if (type.kind === 'map') {
      repeated = true;
      field = name === 'key' ? { id: type.keyId, name, required: true, type: type.key } : { id: type.valueId, name, required: type.valueRequired, type: type.value };
    } else return undefined;
  }
  return field && isPrimitive(field.type) ? { id: field.id, type: field.type, repeated } : undefined;
}

/** A serialized bound from DuckDB's text form of a min or max, or undefined if it cannot be trusted. */
function boundFrom(type: PrimitiveType, text: string, side: 'lower' | 'upper'): Uint8Array | undefined {
  try {
    let value: IcebergValue | undefined;
    switch (type.kind) {
      case 'boolean':
        value = text === '1' || text === 'true';
        break;
      case 'float':
      case 'double': {
        const n = Number(text);
        if (!Number.isFinite(n)) return undefined;
        value = n;
        break;
      }
      case 'date':
        value = parseDate(text);
        break;
      case 'timestamp':
      case 'timestamptz':
        value = parseTimestamp(text, type.kind === 'timestamptz');
        break;
      case 'string': {
        const chars = [...text];
        if (chars.length <= STRING_BOUND_LENGTH) value = text;
        else if (side === 'lower') value = chars.slice(0, STRING_BOUND_LENGTH).join('');
        else value = truncatedUpper(chars);
        break;
      }
      case 'binary':
      case 'fixed':
        if (!/^([0-9a-f]{2})*$/i.test(text)) return undefined;
        value = new Uint8Array(Buffer.from(text, 'hex'));
        break;
      default:
        value = toIcebergValue(type, text, 'bound');
    }
    return value === undefined ? undefined : serializeValue(type, value);
  } catch {
    return undefined;
  }
}

/** The shortest prefix-based upper bound: cut, then increment the last code point that can be. */
function truncatedUpper(chars: string[]): string | undefined {
  const cut = chars.slice(0, STRING_BOUND_LENGTH);
  for (let i = cut.length - 1; i >= 0; i--) {
    const next = cut[i].codePointAt(0)! + 1;
    if (next <= 0x10ffff && !(next >= 0xd800 && next <= 0xdfff)) return [...cut.slice(0, i), String.fromCodePoint(next)].join('');
  }
  return undefined;
}

