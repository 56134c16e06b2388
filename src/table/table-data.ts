import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import type { DataFile } from './data-file.ts';
import { quoteString, type DuckDbSession } from './duckdb-session.ts';
import { fileAllMatch, evaluateTuple } from './evaluators.ts';
import { bind, type Expression } from './expression.ts';
import { filterSql } from './filter-sql.ts';
import { hasNestedRenames, WrittenNamesReader, type WrittenNamesOf } from './nested-names.ts';
import { OverwriteFiles } from './overwrite-files.ts';
import { rowsSource, writeDataFiles, type WriteOptions } from './parquet-writer.ts';
import { partitionKey } from './partition-key.ts';
import { projectStrict } from './partition-projection.ts';
import { writePositionDeletes } from './position-delete-writer.ts';
import { scanSql } from './scan-sql.ts';
import type { CommitResult } from './snapshot-producer.ts';
import type { Schema } from './schema.ts';
import { CommitStateUnknownError } from './table-errors.ts';
import { currentSchema, specById, type TableMetadata } from './table-metadata.ts';
import type { Table } from './table.ts';
import { TableScan, type FileScanTask, type ScanPlan } from './table-scan.ts';

/** What a row-level change did: the commit (none when nothing matched) and its counts. */
export interface RowChangeResult {
  commit?: CommitResult;
  /** Rows that matched the filter and are gone. */
  deletedRows: number;
  /** Data files dropped whole because every row matched. */
  filesDropped: number;
  /** Data files rewritten without their matching rows (copy-on-write). */
  filesRewritten: number;
  /** Rows copied into replacement files by those rewrites. */
  rowsRewritten: number;
  /** Files the commit added: replacement data files, new rows, or position delete files. */
  filesAdded: number;
}

/**
 * A row-level change whose files are written but not yet committed: `result` says what it will do;
 * `commit()` commits it (retrying on concurrent commits it does not conflict with), `abort()`
 * deletes the files it wrote. Lets a caller look before committing, and tests interleave writers.
 */
export interface PreparedRowChange {
  readonly result: RowChangeResult;
  commit(): Promise<RowChangeResult>;
  abort(): Promise<void>;
}

/**
 * Reading and writing a table's rows through DuckDB: append rows, query results or files, delete or
 * overwrite rows by filter (copy-on-write, or merge-on-read with position deletes), compact small
 * files, and read a scan back (columns mapped by field id; row-level deletes applied).
 */
export class TableData {
  private readonly names: WrittenNamesReader;

  constructor(private readonly session: DuckDbSession) {
    this.names = new WrittenNamesReader(session);
  }

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
   * Replaces the rows a filter selects with new rows, in one "overwrite" snapshot. Files whose rows
   * all match are dropped; files only partly matching are rewritten without the matching rows
   * (copy-on-write). A concurrent commit that added matching rows, removed a file this rewrites, or
   * added deletes to it fails the commit with CommitConflictError; anything else is retried.
   */
  async overwriteRows(table: Table, filter: Expression, rows: readonly Record<string, unknown>[], options?: WriteOptions): Promise<CommitResult> {
    return this.withRows(table.schema(), rows, (sql) => this.overwriteQuery(table, filter, sql, options));
  }

  /**
   * overwriteRows with the new rows from a DuckDB query; `summary` adds entries to the snapshot's
   * summary (lineage). Several queries are written one after another (each needs memory for itself
   * only) and all committed in the one overwrite.
   */
  async overwriteQuery(table: Table, filter: Expression, sql: string | readonly string[], options?: WriteOptions, summary?: Record<string, string>): Promise<CommitResult> {
    const change = await (await this.prepareOverwrite(table, filter, sql, options, summary)).commit();
    return change.commit!;
  }

  /** overwriteQuery in two steps (see PreparedRowChange). */
  prepareOverwrite(table: Table, filter: Expression, sql: string | readonly string[], options?: WriteOptions, summary?: Record<string, string>): Promise<PreparedRowChange> {
    return this.changeRows(table, filter, { newRowsSql: sql, options, summary });
  }

  /**
   * Deletes the rows a filter matches, copy-on-write: files proven by partition values or column
   * statistics to hold no matching row are untouched, files whose rows all match are dropped, and
   * every other file is read (its delete files applied), written again without the matching rows
   * (same partitioning, sort order, zstd, field ids and statistics as any write) and swapped for the
   * original in the same snapshot: "delete" when only whole files went, else "overwrite". Nothing is
   * committed when no row matches. A concurrent commit that removed or added deletes to a file being
   * rewritten fails it with CommitConflictError; other concurrent commits are retried on.
   */
  async deleteRows(table: Table, filter: Expression, options?: WriteOptions): Promise<RowChangeResult> {
    return (await this.prepareDelete(table, filter, options)).commit();
  }

  /** deleteRows in two steps (see PreparedRowChange). */
  prepareDelete(table: Table, filter: Expression, options?: WriteOptions): Promise<PreparedRowChange> {
    return this.changeRows(table, filter, { options });
  }

  /**
   * Deletes the rows a filter matches, merge-on-read: no data file is rewritten; position delete
   * files naming the matching rows are added in a "delete" snapshot, and reads apply them. Cheaper
   * to write than deleteRows, dearer to read until the table is compacted.
   */
  async deleteRowsMergeOnRead(table: Table, filter: Expression): Promise<RowChangeResult> {
    return (await this.prepareDeleteMergeOnRead(table, filter)).commit();
  }

  /** deleteRowsMergeOnRead in two steps (see PreparedRowChange). */
  async prepareDeleteMergeOnRead(table: Table, filter: Expression): Promise<PreparedRowChange> {
    await table.refresh();
    const md = table.metadata();
    const schema = currentSchema(md);
    const bound = bind(filter, schema);
    const op = table.newRowDelta();
    const plan = await new TableScan(table.io, md).filter(filter).planFiles();
    const deletes = await writePositionDeletes(this.session, table.io, md, schema, bound, plan.tasks, this.writtenNamesOf(md, schema));
    for (const d of deletes) op.addDeletes(d);
    const result: RowChangeResult = { deletedRows: deletes.reduce((n, d) => n + d.recordCount, 0), filesDropped: 0, filesRewritten: 0, rowsRewritten: 0, filesAdded: deletes.length };
    return {
      result,
      commit: async () => (deletes.length === 0 ? result : { ...result, commit: await this.commitOrRemove(table, op, deletes) }),
      abort: async () => void (await Promise.all(deletes.map((f) => table.io.delete(f.filePath).catch(() => undefined)))),
    };
  }

  private async changeRows(table: Table, filter: Expression, args: { newRowsSql?: string | readonly string[]; options?: WriteOptions; summary?: Record<string, string> }): Promise<PreparedRowChange> {
    await table.refresh();
    const md = table.metadata();
    const schema = currentSchema(md);
    const bound = bind(filter, schema);
    // The operation starts from the state planned on, so concurrent commits after it are validated.
    const overwrite = args.newRowsSql !== undefined;
    const op = new OverwriteFiles(table.ops, overwrite ? { operation: 'overwrite', validateNoConflictingAppends: true } : { validateNoConflictingAppends: false });
    if (overwrite) op.conflictDetectionFilter(filter);
    for (const [key, value] of Object.entries(args.summary ?? {})) op.set(key, value);
    const added: DataFile[] = [];
    const abort = async () => void (await Promise.all(added.map((f) => table.io.delete(f.filePath).catch(() => undefined))));
    try {
      for (const sql of typeof args.newRowsSql === 'string' ? [args.newRowsSql] : (args.newRowsSql ?? [])) {
        added.push(...(await writeDataFiles(this.session, table.io, md, sql, args.options)));
      }
      const plan = await new TableScan(table.io, md).filter(filter).planFiles();
      const drop: FileScanTask[] = [];
      const rewrite: FileScanTask[] = [];
      for (const task of plan.tasks) {
        const strict = projectStrict(bound, specById(md, task.file.specId), schema);
        (evaluateTuple(strict, task.file.partition) || fileAllMatch(bound, task.file) ? drop : rewrite).push(task);
      }
      let deletedRows = 0;
      const namesOf = this.writtenNamesOf(md, schema);
      for (const task of drop) deletedRows += task.deletes.length === 0 ? task.file.recordCount : await this.count(await scanSql(schema, [task], table.io, namesOf));
      let rowsRewritten = 0;
      if (rewrite.length > 0) {
        const source = await scanSql(schema, rewrite, table.io, namesOf);
        const before = rewrite.every((t) => t.deletes.length === 0) ? rewrite.reduce((n, t) => n + t.file.recordCount, 0) : await this.count(source);
        const kept = await writeDataFiles(this.session, table.io, md, `SELECT * FROM (${source}) WHERE (${filterSql(bound, schema)}) IS NOT TRUE`, args.options);
        added.push(...kept);
        rowsRewritten = kept.reduce((n, f) => n + f.recordCount, 0);
        deletedRows += before - rowsRewritten;
        op.validateNoNewDeletesForRemovedFiles();
      }
      for (const task of [...drop, ...rewrite]) op.deleteFile(task.file);
      op.addFiles(added);
      const result: RowChangeResult = { deletedRows, filesDropped: drop.length, filesRewritten: rewrite.length, rowsRewritten, filesAdded: added.length };
      return {
        result,
        commit: async () => {
          if (!overwrite && drop.length + rewrite.length === 0) return result;
          return { ...result, commit: await this.commitOrRemove(table, op, added) };
        },
        abort,
      };
    } catch (error) {
      // Nothing was committed yet: the files written so far belong to no snapshot.
      await abort();
      throw error;
    }
  }

  /** Commits; after a known failure the files written for it are deleted (they are in no snapshot). */
  private async commitOrRemove(table: Table, op: { commit(): Promise<CommitResult> }, written: readonly DataFile[]): Promise<CommitResult> {
    try {
      return await op.commit();
    } catch (error) {
      if (!(error instanceof CommitStateUnknownError)) await Promise.all(written.map((f) => table.io.delete(f.filePath).catch(() => undefined)));
      throw error;
    }
  }

  /**
   * Rewrites small files of each partition into files of the target size (operation "replace"),
   * applying their delete files. Rows are unchanged; a concurrent commit that removed one of the
   * files, or added deletes for it, fails it with a conflict.
   */
  async compact(table: Table, options: { smallFileBytes?: number; minFiles?: number } & WriteOptions = {}): Promise<CommitResult | undefined> {
    await table.refresh();
    const md = table.metadata();
    const small = options.smallFileBytes ?? Number(md.properties['write.target-file-size-bytes'] ?? 512 * 1024 * 1024) / 2;
    const rewrite = table.newRewrite().validateNoNewDeletesForRemovedFiles();
    const tasks = (await new TableScan(table.io, md).planFiles()).tasks.filter((t) => t.file.fileSizeInBytes < small);
    const groups = new Map<string, FileScanTask[]>();
    for (const t of tasks) {
      const key = partitionKey(t.file.specId, t.file.partition);
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
    const added: DataFile[] = [];
    let any = false;
    for (const group of groups.values()) {
      if (group.length < (options.minFiles ?? 2)) continue;
      any = true;
      const schema = currentSchema(md);
      added.push(...(await writeDataFiles(this.session, table.io, md, await scanSql(schema, group, table.io, this.writtenNamesOf(md, schema)), options)));
      for (const t of group) rewrite.deleteFile(t.file);
    }
    if (!any) return undefined;
    rewrite.addFiles(added);
    return this.commitOrRemove(table, rewrite, added);
  }

  /** A DuckDB relation over a scan's rows, with the scan's schema applied by field id and its deletes applied. */
  async scanSql(table: Table, scan: TableScan): Promise<string> {
    return this.planSql(table, await scan.planFiles());
  }

  /** scanSql for a plan the caller already made (and keeps, for its metrics). */
  async planSql(table: Table, plan: ScanPlan): Promise<string> {
    return scanSql(plan.schema, plan.tasks, table.io, this.writtenNamesOf(table.metadata(), plan.schema));
  }

  /** Each file's own struct member names, when the table's history renamed one (else scans need not look). */
  private writtenNamesOf(md: TableMetadata, schema: Schema): WrittenNamesOf | undefined {
    return hasNestedRenames(md, schema) ? this.names.namesOf : undefined;
  }

  /** The rows of a scan as JSON-friendly objects (for tests, the CLI and small tables). */
  async readRows(table: Table, scan: TableScan = table.newScan(), orderBy?: string): Promise<Record<string, unknown>[]> {
    const sql = await this.scanSql(table, scan);
    return this.session.jsonRows(`SELECT * FROM (${sql})${orderBy ? ` ORDER BY ${orderBy}` : ''}`);
  }

  /** The exact row count of a scan: from metadata alone when it has no delete files, else by reading. */
  async countRows(table: Table, scan: TableScan = table.newScan()): Promise<{ count: number; fromMetadata: boolean }> {
    if (!(await scan.hasDeletes())) return { count: await scan.countFromMetadata(), fromMetadata: true };
    return { count: await this.count(await this.scanSql(table, scan)), fromMetadata: false };
  }

  private async count(sql: string): Promise<number> {
    const [row] = await this.session.jsonRows(`SELECT count(*) AS n FROM (${sql})`);
    return Number(row.n);
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
