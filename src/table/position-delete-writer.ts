import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DELETE_FILE_PATH_ID, DELETE_POS_ID, FileContent, type DataFile } from './data-file.ts';
import { quoteString, type DuckDbSession } from './duckdb-session.ts';
import type { Bound } from './expression.ts';
import type { FileIO } from './file-io.ts';
import { filterSql } from './filter-sql.ts';
import type { WrittenNamesOf } from './nested-names.ts';
import { dataFileUri } from './parquet-writer.ts';
import { POSITION_COLUMN, taskSql } from './scan-sql.ts';
import type { Schema } from './schema.ts';
import { specById, type TableMetadata } from './table-metadata.ts';
import type { FileScanTask } from './table-scan.ts';
import { serializeValue } from './values.ts';

/**
 * Writes position delete files (spec "Position Delete Files") for the rows of `tasks` that match a
 * bound filter: one zstd Parquet file per data file ("file-scoped", Iceberg's
 * write.delete.granularity=file), rows `file_path` (field id 2147483546) and `pos` (2147483545)
 * sorted by position, with the data file's partition and bounds on both columns. Equal path bounds
 * let readers apply the file to its one data file only, and let a commit that removes that data file
 * remove the delete file too. Rows already deleted are not named again. Returns the delete files,
 * uploaded but not committed. `namesOf`: the files' own struct member names, when the table's history
 * renamed one (see nested-names.ts).
 */
export async function writePositionDeletes(
  session: DuckDbSession,
  io: FileIO,
  md: TableMetadata,
  schema: Schema,
  filter: Bound,
  tasks: readonly FileScanTask[],
  namesOf?: WrittenNamesOf,
): Promise<DataFile[]> {
  const local = mkdtempSync(path.join(os.tmpdir(), 'quarry-deletes-'));
  const stage = `quarry_posdel_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const out: DataFile[] = [];
  try {
    for (const task of tasks) {
      const positions = `SELECT ${quoteString(task.file.filePath)} AS file_path, ${POSITION_COLUMN} AS pos FROM (${await taskSql(schema, task, io, true, namesOf)}) WHERE (${filterSql(filter, schema)}) IS TRUE`;
      await session.run(`CREATE OR REPLACE TEMP TABLE ${stage} AS ${positions}`);
      const [stats] = await session.jsonRows(`SELECT count(*) AS n, min(file_path) AS lo_path, max(file_path) AS hi_path, min(pos) AS lo_pos, max(pos) AS hi_pos FROM ${stage}`);
      const count = Number(stats.n);
      if (count === 0) continue;
      const file = path.join(local, `${randomUUID()}.parquet`);
      const [written] = await session.jsonRows(
        `COPY (SELECT file_path, pos FROM ${stage} ORDER BY file_path, pos) TO ${quoteString(file)} (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {file_path: ${DELETE_FILE_PATH_ID}, pos: ${DELETE_POS_ID}}, RETURN_STATS true)`,
      );
      const { specId, partition } = task.file;
      const uri = dataFileUri(md, specById(md, specId), schema, partition, 'deletes-');
      await io.upload(file, uri);
      const str = (v: unknown) => serializeValue({ kind: 'string' }, String(v));
      const long = (v: unknown) => serializeValue({ kind: 'long' }, BigInt(String(v)));
      out.push({
        content: FileContent.PositionDeletes,
        filePath: uri,
        fileFormat: 'PARQUET',
        specId,
        partition,
        recordCount: count,
        fileSizeInBytes: Number(written.file_size_bytes),
        valueCounts: new Map([[DELETE_FILE_PATH_ID, count], [DELETE_POS_ID, count]]),
        nullValueCounts: new Map([[DELETE_FILE_PATH_ID, 0], [DELETE_POS_ID, 0]]),
        lowerBounds: new Map([[DELETE_FILE_PATH_ID, str(stats.lo_path)], [DELETE_POS_ID, long(stats.lo_pos)]]),
        upperBounds: new Map([[DELETE_FILE_PATH_ID, str(stats.hi_path)], [DELETE_POS_ID, long(stats.hi_pos)]]),
      });
    }
    return out;
  } finally {
    await session.run(`DROP TABLE IF EXISTS ${stage}`).catch(() => undefined);
    rmSync(local, { recursive: true, force: true });
  }
}
