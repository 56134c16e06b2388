import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import type { DataFile } from './data-file.ts';
import { quoteIdent, quoteString, type DuckDbSession } from './duckdb-session.ts';
import type { Expression } from './expression.ts';
import { isPrimitive } from './iceberg-type.ts';
import { duckType, rowsSource, writeDataFiles, type WriteOptions } from './parquet-writer.ts';
import type { CommitResult } from './snapshot-producer.ts';
import type { Schema } from './schema.ts';
import type { Table } from './table.ts';
import type { TableScan } from './table-scan.ts';

/**
 * Reading and writing a table's rows through DuckDB: append rows, query results or files, overwrite
 * by filter or partition, compact small files, and read a scan back (columns mapped by field id, so
 * renamed, added and widened columns read correctly from old files).
 */
export class TableData {
  constructor(private readonly session: DuckDbSession) {}

  async appendRows(table: Table, rows: readonly Record<string, unknown>[], options?: WriteOptions): Promise<CommitResult> {
    return this.withRows(table.schema(), rows, (sql) => this.appendQuery(table, sql, options));
  }

  /** Appends the result of a DuckDB query (`SELECT …`, `FROM read_csv(…)`). */
  async appendQuery(table: Table, sql: string, options?: WriteOptions): Promise<CommitResult> {
    const files = await this.write(table, sql, options);
    return table.newAppend().appendFiles(files).commit();
  }

  /** Appends a local CSV, Parquet or JSON (newline-delimited or array) file. */
  async appendFile(table: Table, file: string, options?: WriteOptions): Promise<CommitResult> {
    return this.appendQuery(table, `SELECT * FROM ${fileReader(file)}`, options);
  }

  /** Writes data files for the table without committing them. */
  async write(table: Table, sql: string, options?: WriteOptions): Promise<DataFile[]> {
    await table.refresh();
    return writeDataFiles(this.session, table.io, table.metadata(), sql, options);
  }

  /**
   * Replaces the rows a filter selects with new rows, in one snapshot. The filter must select whole
   * files (filter on partition columns); a concurrent append of matching rows fails the commit.
   */
  async overwriteRows(table: Table, filter: Expression, rows: readonly Record<string, unknown>[], options?: WriteOptions): Promise<CommitResult> {
    return this.withRows(table.schema(), rows, async (sql) => {
      const files = await this.write(table, sql, options);
      return table.newOverwrite().overwriteByRowFilter(filter).addFiles(files).commit();
    });
  }

  /**
   * Rewrites small files of each partition into files of the target size (operation "replace").
   * Rows are unchanged; a concurrent commit that removed one of the files fails it with a conflict.
   */
  async compact(table: Table, options: { smallFileBytes?: number; minFiles?: number } & WriteOptions = {}): Promise<CommitResult | undefined> {
    await table.refresh();
    const small = options.smallFileBytes ?? Number(table.metadata().properties['write.target-file-size-bytes'] ?? 512 * 1024 * 1024) / 2;
    const files = (await table.dataFiles()).filter((f) => f.fileSizeInBytes < small);
    const groups = new Map<string, DataFile[]>();
    for (const f of files) {
      const key = `${f.specId}:${JSON.stringify(f.partition, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    const rewrite = table.newRewrite();
    let any = false;
    for (const group of groups.values()) {
      if (group.length < (options.minFiles ?? 2)) continue;
      const added = await this.write(table, await this.readSql(table.schema(), group, table), options);
      for (const f of group) rewrite.deleteFile(f);
      rewrite.addFiles(added);
      any = true;
    }
    return any ? rewrite.commit() : undefined;
  }

  /** A DuckDB relation over a scan's files, with the scan's schema applied by field id. */
  async scanSql(table: Table, scan: TableScan): Promise<string> {
    const plan = await scan.planFiles();
    return this.readSql(plan.schema, plan.files, table);
  }

  /** The rows of a scan as JSON-friendly objects (for tests, the CLI and small tables). */
  async readRows(table: Table, scan: TableScan = table.newScan(), orderBy?: string): Promise<Record<string, unknown>[]> {
    const sql = await this.scanSql(table, scan);
    return this.session.jsonRows(`SELECT * FROM (${sql})${orderBy ? ` ORDER BY ${orderBy}` : ''}`);
  }

  private async readSql(schema: Schema, files: readonly DataFile[], table: Table): Promise<string> {
    const columns = schema.fields.map((f) => `${quoteIdent(f.name)}`).join(', ');
    if (files.length === 0) {
      return `SELECT ${schema.fields.map((f) => `NULL::${duckType(f.type)} AS ${quoteIdent(f.name)}`).join(', ')} WHERE false`;
    }
    const paths = await Promise.all(files.map((f) => table.io.localPath(f.filePath)));
    // read_parquet's schema option maps Parquet field ids to the current names and types: columns
    // renamed since a file was written still read, added ones come back null, widened ones cast.
    const mapping = schema.fields
      .filter((f) => isPrimitive(f.type))
      .map((f) => `${f.id}: {name: ${quoteString(f.name)}, type: ${quoteString(duckType(f.type))}, default_value: NULL}`);
    return `SELECT ${columns} FROM read_parquet([${paths.map(quoteString).join(', ')}], schema = MAP {${mapping.join(', ')}})`;
  }

  private async withRows<T>(schema: Schema, rows: readonly Record<string, unknown>[], work: (sql: string) => Promise<T>): Promise<T> {
    if (rows.length === 0) throw new InvalidInputError('No rows to write', 'rows');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-rows-'));
    try {
      return await work(rowsSource(rows, schema, dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** The DuckDB table function reading a local file by its extension. */
export function fileReader(file: string): string {
  const lower = file.toLowerCase();
  if (lower.endsWith('.parquet')) return `read_parquet(${quoteString(file)})`;
  if (lower.endsWith('.csv') || lower.endsWith('.tsv')) return `read_csv(${quoteString(file)}, header = true)`;
  if (lower.endsWith('.json') || lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return `read_json_auto(${quoteString(file)})`;
  throw new InvalidInputError(`Cannot tell the format of ${file}: use a .csv, .parquet, .json or .jsonl file`, 'file');
}
