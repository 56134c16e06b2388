import { UnsupportedError } from '../errors/unsupported-error.ts';
import { DELETE_FILE_PATH_ID, DELETE_POS_ID, FileContent, type DataFile } from './data-file.ts';
import { quoteIdent, quoteString } from './duckdb-session.ts';
import type { FileIO } from './file-io.ts';
import { isPrimitive, type IcebergType } from './iceberg-type.ts';
import { withCurrentNames, writtenType, type WrittenNames, type WrittenNamesOf } from './nested-names.ts';
import { duckType } from './parquet-writer.ts';
import type { Schema } from './schema.ts';
import type { FileScanTask } from './table-scan.ts';

/** The column taskSql adds, with `position`, holding each row's position in its data file. */
export const POSITION_COLUMN = '__quarry_pos';

/**
 * A DuckDB relation over the rows of scan tasks, with the schema's columns: Parquet field ids are
 * mapped to the schema's names and types (renamed columns read, added ones are null, widened ones
 * cast), and each task's delete files are applied (spec "Row-level deletes"):
 * - a position delete removes the row at `pos` (0-based, DuckDB's file_row_number) of the data file
 *   whose location equals its `file_path`;
 * - an equality delete removes every row whose equality columns all equal the delete row's values,
 *   null equal to null.
 * Tasks without deletes are read together in one read_parquet; tasks with only position deletes
 * together in another, anti-joined to their positions (each delete file paired only with the data
 * files the plan applied it to); each task with equality deletes is a query of its own.
 *
 * With `writtenNamesOf` (the table's history renamed a struct member, see nested-names.ts), each data
 * file is read with the member names it was written with and renamed to the schema's, files that
 * share their names read together.
 */
export async function scanSql(schema: Schema, tasks: readonly FileScanTask[], io: FileIO, writtenNamesOf?: WrittenNamesOf): Promise<string> {
  if (tasks.length === 0) return `SELECT ${schema.fields.map((f) => `NULL::${duckType(f.type)} AS ${quoteIdent(f.name)}`).join(', ')} WHERE false`;
  const parts: string[] = [];
  for (const [shape, group] of await byReadShape(schema, tasks, io, writtenNamesOf)) {
    const plain = group.filter((t) => t.deletes.length === 0);
    if (plain.length > 0) {
      const paths = await Promise.all(plain.map((t) => io.localPath(t.file.filePath)));
      parts.push(`SELECT ${shape.columns('d.').join(', ')} FROM read_parquet([${paths.map(quoteString).join(', ')}], schema = ${shape.mapping}) d`);
    }
    const positional = group.filter((t) => t.deletes.length > 0 && t.deletes.every((d) => d.content === FileContent.PositionDeletes));
    if (positional.length > 0) parts.push(await positionalSql(positional, io, shape));
    for (const task of group.filter((t) => t.deletes.length > 0 && !positional.includes(t))) parts.push(await shapedTaskSql(schema, task, io, false, shape));
  }
  return parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(' UNION ALL ');
}

/** How data files are read: read_parquet's field-id mapping, and the expressions of the schema's columns over it. */
interface ReadShape {
  readonly mapping: string;
  columns(prefix: string): string[];
}

function readShape(schema: Schema, names?: WrittenNames): ReadShape {
  if (!names) return { mapping: fieldIdMapping(schema), columns: (prefix) => schema.fields.map((f) => `${prefix}${quoteIdent(f.name)}`) };
  return {
    mapping: fieldIdMapping(schema, (type) => writtenType(type, names)),
    columns: (prefix) =>
      schema.fields.map((f) => {
        const column = `${prefix}${quoteIdent(f.name)}`;
        const renamed = withCurrentNames(column, f.type, names);
        return renamed === column ? column : `${renamed} AS ${quoteIdent(f.name)}`;
      }),
  };
}

/** Tasks grouped by how their files must be read; one group in the usual case. */
async function byReadShape(schema: Schema, tasks: readonly FileScanTask[], io: FileIO, writtenNamesOf?: WrittenNamesOf): Promise<[ReadShape, FileScanTask[]][]> {
  if (!writtenNamesOf) return [[readShape(schema), [...tasks]]];
  const files = await Promise.all(tasks.map(async (t) => ({ uri: t.file.filePath, localPath: await io.localPath(t.file.filePath) })));
  const names = await writtenNamesOf(files);
  const groups = new Map<string, [ReadShape, FileScanTask[]]>();
  for (const task of tasks) {
    const shape = readShape(schema, names.get(task.file.filePath));
    const group = groups.get(shape.mapping) ?? groups.set(shape.mapping, [shape, []]).get(shape.mapping)!;
    group[1].push(task);
  }
  return [...groups.values()];
}

async function positionalSql(tasks: readonly FileScanTask[], io: FileIO, shape: ReadShape): Promise<string> {
  const dataLocal = await Promise.all(tasks.map((t) => io.localPath(t.file.filePath)));
  const deleteIndex = new Map<string, number>();
  for (const d of tasks.flatMap((t) => t.deletes)) if (!deleteIndex.has(d.filePath)) deleteIndex.set(d.filePath, deleteIndex.size);
  const deleteLocal = await Promise.all([...deleteIndex.keys()].map((uri) => io.localPath(uri)));
  // Rows are keyed by DuckDB's file_index (position in the read_parquet list), so the anti-join over
  // the data compares two integers; the path comparison happens on the (smaller) delete rows.
  const pairs = tasks.flatMap((t, i) => t.deletes.map((d) => `(${deleteIndex.get(d.filePath)!}, ${quoteString(t.file.filePath)}, ${i})`));
  const positions =
    `SELECT pr.data_index, p.pos FROM read_parquet([${deleteLocal.map(quoteString).join(', ')}], schema = ${POSITION_MAPPING}) p ` +
    `JOIN (VALUES ${pairs.join(', ')}) pr(delete_index, data_path, data_index) ON p.file_index::BIGINT = pr.delete_index AND p.file_path = pr.data_path`;
  return (
    `SELECT ${shape.columns('d.').join(', ')} FROM read_parquet([${dataLocal.map(quoteString).join(', ')}], schema = ${shape.mapping}, file_row_number = true) d ` +
    `ANTI JOIN (${positions}) x ON d.file_index::BIGINT = x.data_index AND d.file_row_number = x.pos`
  );
}

/** Position delete files' columns by their reserved field ids. */
const POSITION_MAPPING = `MAP {${DELETE_FILE_PATH_ID}: {name: 'file_path', type: 'VARCHAR', default_value: NULL}, ${DELETE_POS_ID}: {name: 'pos', type: 'BIGINT', default_value: NULL}}`;

/**
 * The rows of one data file with its delete files applied; with `position`, also each row's position
 * in the file as POSITION_COLUMN (what a new position delete must name).
 */
export async function taskSql(schema: Schema, task: FileScanTask, io: FileIO, position: boolean, writtenNamesOf?: WrittenNamesOf): Promise<string> {
  const [[shape]] = await byReadShape(schema, [task], io, writtenNamesOf);
  return shapedTaskSql(schema, task, io, position, shape!);
}

async function shapedTaskSql(schema: Schema, task: FileScanTask, io: FileIO, position: boolean, shape: ReadShape): Promise<string> {
  const columns = shape.columns('d.');
  if (position) columns.push(`d.file_row_number AS ${POSITION_COLUMN}`);
  const conditions: string[] = [];
  const positional = task.deletes.filter((d) => d.content === FileContent.PositionDeletes);
  if (positional.length > 0) {
    const paths = await Promise.all(positional.map((d) => io.localPath(d.filePath)));
    conditions.push(
      `d.file_row_number NOT IN (SELECT pos FROM read_parquet([${paths.map(quoteString).join(', ')}], schema = ${POSITION_MAPPING}) WHERE file_path = ${quoteString(task.file.filePath)})`,
    );
  }
  const byIds = new Map<string, DataFile[]>();
  for (const d of task.deletes.filter((x) => x.content === FileContent.EqualityDeletes)) {
    const key = [...(d.equalityIds ?? [])].sort((a, b) => a - b).join(',');
    byIds.set(key, [...(byIds.get(key) ?? []), d]);
  }
  for (const [key, files] of byIds) {
    const ids = key.split(',').map(Number);
    const fields = ids.map((id) => {
      const field = schema.fieldById(id);
      if (!field || !isPrimitive(field.type) || !schema.fields.includes(field)) {
        throw new UnsupportedError(`Equality delete file ${files[0].filePath} compares field id ${id}, which is not a top-level primitive column of the schema read; Quarry cannot apply it`);
      }
      return field;
    });
    const paths = await Promise.all(files.map((d) => io.localPath(d.filePath)));
    const mapping = `MAP {${fields.map((f) => `${f.id}: {name: ${quoteString(`__eq_${f.id}`)}, type: ${quoteString(duckType(f.type))}, default_value: NULL}`).join(', ')}}`;
    const match = fields.map((f) => `e.${quoteIdent(`__eq_${f.id}`)} IS NOT DISTINCT FROM d.${quoteIdent(f.name)}`).join(' AND ');
    conditions.push(`NOT EXISTS (SELECT 1 FROM read_parquet([${paths.map(quoteString).join(', ')}], schema = ${mapping}) e WHERE ${match})`);
  }
  const local = await io.localPath(task.file.filePath);
  return `SELECT ${columns.join(', ')} FROM read_parquet(${quoteString(local)}, schema = ${shape.mapping}, file_row_number = true) d${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
}

/**
 * read_parquet's `schema` option: Parquet field ids of top-level columns to the schema's names and
 * DuckDB types. Fields inside structs, lists and maps are matched by name, not id (DuckDB's mapping
 * works on top-level columns): files whose member names differ are read with `readShape(schema, names)`,
 * whose `typeOf` names struct members as those files do.
 */
function fieldIdMapping(schema: Schema, typeOf: (type: IcebergType) => string = duckType): string {
  const entries = schema.fields.map((f) => `${f.id}: {name: ${quoteString(f.name)}, type: ${quoteString(typeOf(f.type))}, default_value: NULL}`);
  return `MAP {${entries.join(', ')}}`;
}
