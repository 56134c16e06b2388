import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DELETE_FILE_PATH_ID, DELETE_POS_ID, FileContent, type DataFile } from './data-file.ts';
import { quoteString, type DuckDbSession } from './duckdb-session.ts';
import type { Bound } from './expression.ts';
import type { FileIO } from './file-io.ts';
import { filterSql } from './filter-sql.ts';
import { partitionKey } from './partition-key.ts';
import { dataFileUri } from './parquet-writer.ts';
import { POSITION_COLUMN, taskSql } from './scan-sql.ts';
import type { Schema } from './schema.ts';
import { specById, type TableMetadata } from './table-metadata.ts';
import type { FileScanTask } from './table-scan.ts';
import { serializeValue } from './values.ts';

/**
 * Writes position delete files (spec "Position Delete Files") for the rows of `tasks` that match a
 * bound filter: one zstd Parquet file per partition, rows `file_path` (field id 2147483546) and `pos`
 * (2147483545) sorted by path then position, as the spec requires, with the partition of the data
 * files they delete from and bounds on both columns (readers use the path bounds to skip files).
 * Rows already deleted are not named again. Returns the delete files, uploaded but not committed.
 */
export async function writePositionDeletes(session: DuckDbSession, io: FileIO, md: TableMetadata, schema: Schema, filter: Bound, tasks: readonly FileScanTask[]): Promise<DataFile[]> {
  const groups = new Map<string, FileScanTask[]>();
  for (const t of tasks) {
    const key = partitionKey(t.file.specId, t.file.partition);
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  const local = mkdtempSync(path.join(os.tmpdir(), 'quarry-deletes-'));
  const stage = `quarry_posdel_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const out: DataFile[] = [];
  try {
    for (const group of groups.values()) {
      const selects = await Promise.all(
        group.map(async (t) => `SELECT ${quoteString(t.file.filePath)} AS file_path, ${POSITION_COLUMN} AS pos FROM (${await taskSql(schema, t, io, true)}) WHERE (${filterSql(filter, schema)}) IS TRUE`),
      );
      await session.run(`CREATE OR REPLACE TEMP TABLE ${stage} AS SELECT * FROM (${selects.join(' UNION ALL ')}) ORDER BY file_path, pos`);
      const [stats] = await session.jsonRows(`SELECT count(*) AS n, min(file_path) AS lo_path, max(file_path) AS hi_path, min(pos) AS lo_pos, max(pos) AS hi_pos FROM ${stage}`);
      const count = Number(stats.n);
      if (count === 0) continue;
      const file = path.join(local, `${randomUUID()}.parquet`);
      const [written] = await session.jsonRows(
        `COPY (SELECT file_path, pos FROM ${stage} ORDER BY file_path, pos) TO ${quoteString(file)} (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {file_path: ${DELETE_FILE_PATH_ID}, pos: ${DELETE_POS_ID}}, RETURN_STATS true)`,
      );
      const { specId, partition } = group[0].file;
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
