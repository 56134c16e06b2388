import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { quoteIdent, quoteString, type DuckDbSession } from '../table/duckdb-session.ts';
import { duckType } from '../table/parquet-writer.ts';
import { isPrimitive, primitiveToString, type IcebergType } from '../table/iceberg-type.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { castFromText } from './column-mapping.ts';
import type { CsvChunk } from './csv-chunks.ts';
import type { TextRow } from './source-read.ts';

export interface StagedColumn {
  readonly name: string;
  readonly type: IcebergType;
}

/** Rows a stage holds in its DuckDB table before moving them to a Parquet part (default). */
export const DEFAULT_PART_ROWS = 500_000;

/**
 * A snapshot's rows collected batch by batch, typed as the warehouse table's columns. Each batch
 * passes through a local newline-delimited JSON file that DuckDB reads and converts in bulk into a
 * temporary table, then is deleted; whenever that table reaches `partRows` rows it is written to a
 * local zstd Parquet part and emptied. So the process holds one batch, DuckDB at most `partRows`
 * rows (and its memory limit), and the rest of the table waits on disk however large it is.
 * `relation()` is every staged row, parts and table; `drop` removes the table and the folder.
 */
export class RowStage {
  /** Rows staged so far. */
  rows = 0;
  /** Bytes of text staged so far (the size of the batch files). */
  bytes = 0;
  /** Parquet parts written so far. */
  readonly parts: string[] = [];
  private inTable = 0;

  private constructor(
    private readonly session: DuckDbSession,
    readonly table: string,
    private readonly columns: readonly StagedColumn[],
    private readonly dir: string,
    private readonly partRows: number,
  ) {}

  static async create(session: DuckDbSession, columns: readonly StagedColumn[], partRows = DEFAULT_PART_ROWS): Promise<RowStage> {
    const table = `quarry_snapshot_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const stage = new RowStage(session, table, columns, mkdtempSync(path.join(os.tmpdir(), 'quarry-snapshot-')), partRows);
    await stage.createTable();
    return stage;
  }

  /**
   * Every staged row as DuckDB relations (for FROM) of about `bytes` of local Parquet each (a part
   * larger than that is one alone), in the staged columns' order: what lets the final write handle
   * one bounded group at a time. Rows still in the table are flushed to a part first.
   */
  async groups(bytes: number): Promise<string[]> {
    if (this.inTable > 0) await this.flush();
    const groups: string[][] = [];
    let size = Infinity;
    for (const part of this.parts) {
      const partBytes = statSync(part).size;
      if (size + partBytes > bytes) {
        groups.push([]);
        size = 0;
      }
      groups.at(-1)!.push(part);
      size += partBytes;
    }
    if (groups.length === 0) return [this.table];
    return groups.map((g) => `read_parquet([${g.map(quoteString).join(', ')}])`);
  }

  /** A DuckDB relation (for FROM) holding every row staged, in the staged columns' order. */
  relation(): string {
    if (this.parts.length === 0) return this.table;
    const parts = `read_parquet([${this.parts.map(quoteString).join(', ')}])`;
    return `(SELECT * FROM ${parts} UNION ALL SELECT * FROM ${this.table})`;
  }

  private async createTable(): Promise<void> {
    await this.session.run(`CREATE TEMP TABLE ${this.table} (${this.columns.map((c) => `${quoteIdent(c.name)} ${duckType(c.type)}`).join(', ')})`);
  }

  /** Moves the table's rows to a new Parquet part; dropping the table (rather than deleting its rows) returns its memory. */
  private async flush(): Promise<void> {
    const part = path.join(this.dir, `part-${String(this.parts.length).padStart(5, '0')}.parquet`);
    await this.session.run(`COPY ${this.table} TO ${quoteString(part)} (FORMAT parquet, COMPRESSION zstd)`);
    this.parts.push(part);
    await this.session.run(`DROP TABLE ${this.table}`);
    await this.createTable();
    this.inTable = 0;
  }

  /**
   * Stages a chunk of whole CSV rows (see SourceRead.csv) straight into a Parquet part of its own:
   * DuckDB parses and converts the text in bulk, with no JavaScript value per field. Rows staged
   * by `append` before it are flushed first, so parts keep the rows' order.
   */
  async appendCsv({ text, rows, longestRow }: CsvChunk): Promise<void> {
    if (rows === 0) return;
    if (this.inTable > 0) await this.flush();
    const file = path.join(this.dir, 'batch.csv');
    writeFileSync(file, text);
    const columns = this.columns.map((_, i) => `${quoteString(`c${i}`)}: 'VARCHAR'`).join(', ');
    // The line buffer is sized from the longest row (DuckDB allocates a multiple of it), not the chunk.
    // PostgreSQL's CSV: a null is an empty unquoted field, an empty string `""` (so quoted empties stay strings).
    const source = `read_csv(${quoteString(file)}, header = false, delim = ',', quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false, auto_detect = false, columns = {${columns}}, max_line_size = ${Math.max(2 * 1024 * 1024, longestRow + 1024)})`;
    const part = path.join(this.dir, `part-${String(this.parts.length).padStart(5, '0')}.parquet`);
    try {
      const values = this.columns.map((c, i) => `${castFromText(`c${i}`, c.type, c.name)} AS ${quoteIdent(c.name)}`).join(', ');
      await this.session.run(`COPY (SELECT ${values} FROM ${source}) TO ${quoteString(part)} (FORMAT parquet, COMPRESSION zstd)`);
    } catch (error) {
      throw (await this.unconvertible(source, (i) => `c${i}`)) ?? error;
    } finally {
      unlinkSync(file);
    }
    this.parts.push(part);
    this.rows += rows;
    this.bytes += text.length;
  }

  async append(batch: readonly TextRow[]): Promise<void> {
    if (batch.length === 0) return;
    const file = path.join(this.dir, 'batch.json');
    // One JSON array per row (JSON.stringify is native and fast), read by DuckDB as one list column.
    let text = '';
    let longest = 0;
    for (const row of batch) {
      const line = JSON.stringify(row);
      text += `${line}\n`;
      longest = Math.max(longest, line.length);
    }
    writeFileSync(file, text);
    // DuckDB's reader buffers this much per object; the default (16 MB) is raised only for a batch that needs it.
    const objectBytes = Math.max(16 * 1024 * 1024, 4 * longest + 1024);
    const source = `read_json(${quoteString(file)}, format = 'newline_delimited', records = false, columns = {j: 'VARCHAR[]'}, maximum_object_size = ${objectBytes})`;
    try {
      const values = this.columns.map((c, i) => castFromText(`j[${i + 1}]`, c.type, c.name)).join(', ');
      await this.session.run(`INSERT INTO ${this.table} SELECT ${values} FROM ${source}`);
    } catch (error) {
      throw (await this.unconvertible(source, (i) => `j[${i + 1}]`)) ?? error;
    } finally {
      unlinkSync(file);
    }
    this.rows += batch.length;
    this.inTable += batch.length;
    this.bytes += Buffer.byteLength(text);
    if (this.inTable >= this.partRows) await this.flush();
  }

  /** The first value of the batch its column's type cannot hold, as an error naming both. */
  private async unconvertible(source: string, field: (i: number) => string): Promise<InvalidInputError | undefined> {
    for (const [i, column] of this.columns.entries()) {
      const found = await this.session
        .jsonRows(`SELECT ${field(i)} AS v FROM ${source} WHERE ${field(i)} IS NOT NULL AND TRY(${castFromText(field(i), column.type, column.name)}) IS NULL LIMIT 1`)
        .catch(() => []);
      if (found.length > 0) {
        return new InvalidInputError(`Column ${JSON.stringify(column.name)} holds ${JSON.stringify(found[0]!.v)}, which its type ${typeName(column.type)} cannot hold; leave the column out with --columns or fix the value`, column.name);
      }
    }
    return undefined;
  }

  async drop(): Promise<void> {
    await this.session.run(`DROP TABLE IF EXISTS ${this.table}`).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function typeName(type: IcebergType): string {
  return isPrimitive(type) ? primitiveToString(type) : type.kind;
}
