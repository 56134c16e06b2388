import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { quoteIdent, quoteString, type DuckDbSession } from '../table/duckdb-session.ts';
import { duckType } from '../table/parquet-writer.ts';
import { isPrimitive, primitiveToString, type IcebergType } from '../table/iceberg-type.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { castFromText } from './column-mapping.ts';
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
      throw (await this.unconvertible(source)) ?? error;
    } finally {
      unlinkSync(file);
    }
    this.rows += batch.length;
    this.inTable += batch.length;
    this.bytes += Buffer.byteLength(text);
    if (this.inTable >= this.partRows) await this.flush();
  }

  /** The first value of the batch its column's type cannot hold, as an error naming both. */
  private async unconvertible(source: string): Promise<InvalidInputError | undefined> {
    for (const [i, column] of this.columns.entries()) {
      const found = await this.session
        .jsonRows(`SELECT j[${i + 1}] AS v FROM ${source} WHERE j[${i + 1}] IS NOT NULL AND TRY(${castFromText(`j[${i + 1}]`, column.type, column.name)}) IS NULL LIMIT 1`)
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
