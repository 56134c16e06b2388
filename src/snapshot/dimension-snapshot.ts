import type { CatalogConfig } from '../config/config.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { isQuarryError } from '../errors/quarry-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import { UnavailableError } from '../errors/unavailable-error.ts';
import { quoteIdent, type DuckDbSession } from '../table/duckdb-session.ts';
import { parseFilter } from '../table/filter-parser.ts';
import { canPromote, isPrimitive, primitiveToString, type IcebergType } from '../table/iceberg-type.ts';
import { parseIdentifier, formatIdentifier, type TableIdentifier } from '../table/table-pointer-store.ts';
import { TableData } from '../table/table-data.ts';
import type { Table } from '../table/table.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { icebergTypeOf } from './column-mapping.ts';
import type { CsvChunk } from './csv-chunks.ts';
import { RowStage, type StagedColumn } from './row-stage.ts';
import { snapshotCatalog } from './snapshot-source-for.ts';
import type { ProgressSink } from './snapshot-progress.ts';
import type { SourceRead, TextRow } from './source-read.ts';

/** The warehouse table's partition column: the day a snapshot is of, as YYYYMMDD. */
export const DATE_COLUMN = 'dateint';

/** Snapshot summary keys naming where a snapshot's rows came from (Iceberg snapshot summary, strings). */
export const LINEAGE = {
  catalog: 'quarry.snapshot.source-catalog',
  table: 'quarry.snapshot.source-table',
  readTime: 'quarry.snapshot.read-time',
  rows: 'quarry.snapshot.rows',
  date: 'quarry.snapshot.dateint',
  where: 'quarry.snapshot.where',
  jobId: 'quarry.snapshot.job-id',
  /** Sources without a point in time (Cassandra): when the read ended, and the consistency level it used. */
  readEnd: 'quarry.snapshot.read-end',
  consistency: 'quarry.snapshot.consistency',
} as const;

export interface SnapshotRequest {
  /** A configured catalog of kind postgresql, mysql, sqlite or cassandra. */
  readonly catalog: string;
  /** DATABASE.TABLE in that catalog (a PostgreSQL schema, a MariaDB database, SQLite's `main`). */
  readonly source: string;
  /** NAMESPACE.TABLE in the warehouse; created on the first snapshot. */
  readonly into: string;
  /** YYYYMMDD; default today in UTC. */
  readonly date?: string;
  /** A condition in the source's SQL dialect. */
  readonly where?: string;
  /** Only these source columns (default all). */
  readonly columns?: readonly string[];
  /** The job this snapshot runs as (GENIE_JOB_ID), recorded in the lineage. */
  readonly jobId?: string;
}

export interface SnapshotOutcome {
  readonly table: string;
  readonly partition: string;
  readonly rows: number;
  /** Bytes of text read from the source. */
  readonly bytes: number;
  readonly snapshotId: bigint;
  readonly readTime: Date;
  readonly created: boolean;
  readonly addedColumns: readonly string[];
  readonly summary: Readonly<Record<string, string>>;
}

export interface DimensionSnapshotOptions {
  readonly catalogs: readonly CatalogConfig[];
  readonly warehouse: Warehouse;
  readonly session: DuckDbSession;
  /** Rows read and staged at a time (default 10,000): what bounds the process's memory. */
  readonly batchRows?: number;
  readonly progress?: (label: string) => ProgressSink;
  /** Rows staged in DuckDB before they move to a local Parquet part (default 500,000): what bounds DuckDB's share of memory. */
  readonly partRows?: number;
  /** Bytes of CSV staged at a time from sources that read in bulk (default 16 MiB): each becomes one local Parquet part. 0 reads batch by batch (batchRows) from every source. */
  readonly csvChunkBytes?: number;
  /** Awaited after each staged batch, with the rows staged so far: a seam for tests that interleave writers. */
  readonly afterBatch?: (rows: number) => Promise<void>;
  readonly now?: () => Date;
}

/**
 * Copies a table of an operational database into one day's partition of a warehouse table.
 *
 * Contract: the source is read at one point in time (see SnapshotSource); rows are staged batch by
 * batch, so memory holds one batch; the warehouse table is created (partitioned by `dateint`) or
 * evolved (new source columns added, widenable types widened) only after the read succeeded, and
 * the day's partition is then replaced in one overwrite commit whose summary carries the lineage
 * (LINEAGE keys). Re-running a day replaces it again: one snapshot's rows, no duplicates. Any
 * failure before the commit leaves the table's data as it was and removes the files written.
 */
export class DimensionSnapshot {
  private readonly batchRows: number;
  private readonly csvChunkBytes: number;

  constructor(private readonly options: DimensionSnapshotOptions) {
    this.batchRows = options.batchRows ?? 10_000;
    this.csvChunkBytes = options.csvChunkBytes ?? 16 * 1024 * 1024;
    if (!Number.isInteger(this.batchRows) || this.batchRows < 1) throw new InvalidInputError(`Batch size ${this.batchRows} must be a positive integer`, 'batchRows');
    if (!Number.isInteger(this.csvChunkBytes) || this.csvChunkBytes < 0) throw new InvalidInputError(`CSV chunk size ${this.csvChunkBytes} must be a whole number of bytes (0 to read batch by batch)`, 'csvChunkBytes');
  }

  async run(request: SnapshotRequest): Promise<SnapshotOutcome> {
    const now = this.options.now ?? (() => new Date());
    const date = parseDate(request.date ?? now().toISOString().slice(0, 10).replaceAll('-', ''));
    const into = parseInto(request.into);
    const [databaseName, tableName] = parseSource(request.source);
    const config = this.options.catalogs.find((c) => c.name === request.catalog);
    if (!config) {
      const names = this.options.catalogs.map((c) => c.name);
      throw new NotFoundError(`No catalog named ${JSON.stringify(request.catalog)} in the configuration (catalogs: ${names.length ? names.join(', ') : 'none; add one under catalogs: in the configuration file'})`, { catalog: request.catalog });
    }
    const source = snapshotCatalog(config);
    const label = `${config.name}.${databaseName}.${tableName}`;
    let read: SourceRead | undefined;
    let stage: RowStage | undefined;
    try {
      const database = await source.schema.findDatabase(databaseName);
      const allowed = config.databases?.map((d) => d.toLowerCase());
      if (database === undefined || (allowed && !allowed.includes(database.toLowerCase()))) {
        throw new NotFoundError(`Catalog ${config.name} has no database ${JSON.stringify(databaseName)}`, { catalog: config.name, database: databaseName });
      }
      const described = await source.schema.describeTable(database, tableName);
      if (!described) throw new NotFoundError(`Catalog ${config.name} has no table ${database}.${tableName}`, { catalog: config.name, table: `${database}.${tableName}` });
      const columns = chooseColumns(described.columns, request.columns, `${config.name}.${database}.${described.name}`);
      const staged: StagedColumn[] = columns.map((c) => ({ name: c.name, type: icebergTypeOf(c.type) }));
      stage = await RowStage.create(this.options.session, staged, this.options.partRows);
      read = await source.rows.begin({ database, table: described.name, columns, where: request.where, batchRows: this.batchRows });
      const progress = this.options.progress?.(`snapshot ${label}`);
      const started = Date.now();
      // Sources that can hand rows over as CSV in bulk do (far less work per row); the rest batch by batch.
      const csv = this.csvChunkBytes > 0 ? read.csv?.(this.csvChunkBytes) : undefined;
      const batches: AsyncIterator<TextRow[] | CsvChunk> = csv ? csv[Symbol.asyncIterator]() : read.batches()[Symbol.asyncIterator]();
      try {
        for (;;) {
          let next: IteratorResult<TextRow[] | CsvChunk>;
          try {
            next = await batches.next();
          } catch (error) {
            if (isQuarryError(error)) throw error;
            // The source failed while rows flowed: the connection dropped, the server stopped, a row broke the condition.
            throw new UnavailableError(`Reading ${label} failed after ${stage.rows} rows: ${firstLine(error)}; nothing was committed`, { catalog: config.name, table: `${database}.${described.name}` });
          }
          if (next.done) break;
          if (Array.isArray(next.value)) await stage.append(next.value);
          else await stage.appendCsv(next.value);
          progress?.update({ rows: stage.rows, bytes: stage.bytes, elapsedMs: Date.now() - started, rowEstimate: described.rowEstimate });
          await this.options.afterBatch?.(stage.rows);
        }
      } finally {
        progress?.done();
        await batches.return?.().catch(() => undefined);
      }
      const readTime = read.readTime;
      const readLineage = read.lineage?.() ?? {};
      await read.close();
      read = undefined;

      const { table, created, addedColumns } = await this.prepareTable(into, staged);
      const summary: Record<string, string> = {
        [LINEAGE.catalog]: config.name,
        [LINEAGE.table]: `${database}.${described.name}`,
        [LINEAGE.readTime]: readTime.toISOString(),
        [LINEAGE.rows]: String(stage.rows),
        [LINEAGE.date]: String(date),
        ...readLineage,
        ...(request.where ? { [LINEAGE.where]: request.where } : {}),
        ...(request.jobId ? { [LINEAGE.jobId]: request.jobId } : {}),
      };
      const filter = parseFilter(`${DATE_COLUMN} = ${date}`);
      // One write per group of parts the size of a data file, all in the one overwrite: the write's memory
      // is bounded by a group (and DuckDB's limit), not by the table.
      const targetBytes = Number(table.metadata().properties['write.target-file-size-bytes'] ?? 512 * 1024 * 1024);
      const rowsSql = (await stage.groups(targetBytes)).map(
        (relation) => `SELECT ${staged.map((c) => quoteIdent(c.name)).join(', ')}${staged.length ? ', ' : ''}CAST(${date} AS INTEGER) AS ${DATE_COLUMN} FROM ${relation}`,
      );
      const commit = await new TableData(this.options.session).overwriteQuery(table, filter, rowsSql, undefined, summary);
      return {
        table: formatIdentifier(into),
        partition: `${DATE_COLUMN}=${date}`,
        rows: stage.rows,
        bytes: stage.bytes,
        snapshotId: commit.snapshot.snapshotId,
        readTime,
        created,
        addedColumns,
        summary: commit.snapshot.summary,
      };
    } finally {
      await read?.close();
      await stage?.drop();
      await source.schema.close().catch(() => undefined);
      await source.rows.close().catch(() => undefined);
    }
  }

  /** Loads the warehouse table, creating it or adding the source's new columns; checks it is partitioned by day. */
  private async prepareTable(id: TableIdentifier, columns: readonly StagedColumn[]): Promise<{ table: Table; created: boolean; addedColumns: string[] }> {
    const warehouse = this.options.warehouse;
    const name = formatIdentifier(id);
    if (!(await warehouse.tableExists(id))) {
      const table = await warehouse
        .createTable(id, {
          schema: [...columns.map((c) => ({ name: c.name, type: c.type })), { name: DATE_COLUMN, type: 'int', required: true }],
          partitionBy: [{ column: DATE_COLUMN }],
        })
        .catch(async (error: unknown) => {
          // Another snapshot created it first: use that one.
          if (await warehouse.tableExists(id)) return undefined;
          throw error;
        });
      if (table) return { table, created: true, addedColumns: [] };
    }
    const table = await warehouse.loadTable(id);
    const schema = table.schema();
    const dateField = schema.findField(DATE_COLUMN);
    const partitioned = dateField && table.spec().fields.some((f) => f.sourceId === dateField.id && f.transform.kind === 'identity');
    if (!partitioned) {
      throw new InvalidInputError(`Table ${name} is not partitioned by ${DATE_COLUMN} (identity): snapshots replace one day's partition; choose another --into table`, 'into');
    }
    const update = table.updateSchema();
    const added: string[] = [];
    let changed = false;
    for (const column of columns) {
      const existing = schema.findField(column.name);
      if (!existing) {
        update.addColumn(column.name, column.type);
        added.push(column.name);
        changed = true;
      } else if (!sameType(existing.type, column.type)) {
        if (isPrimitive(existing.type) && isPrimitive(column.type) && canPromote(existing.type, column.type)) {
          update.widenColumn(column.name, primitiveToString(column.type));
          changed = true;
        } else if (!(isPrimitive(existing.type) && isPrimitive(column.type) && canPromote(column.type, existing.type))) {
          throw new InvalidInputError(
            `Column ${JSON.stringify(column.name)} of ${name} is ${typeText(existing.type)}, but the source now gives ${typeText(column.type)}, which it cannot hold; snapshot into a new table`,
            column.name,
          );
        }
      }
    }
    if (changed) await update.commit();
    return { table: changed ? await table.refresh() : table, created: false, addedColumns: added };
  }
}

function chooseColumns<C extends { name: string; type: string }>(all: readonly C[], wanted: readonly string[] | undefined, table: string): C[] {
  let chosen: C[] = [...all];
  if (wanted && wanted.length > 0) {
    chosen = wanted.map((name) => {
      const found = all.find((c) => c.name === name) ?? all.find((c) => c.name.toLowerCase() === name.toLowerCase());
      if (!found) throw new InvalidInputError(`Column ${JSON.stringify(name)} is not in ${table} (columns: ${all.map((c) => c.name).join(', ')})`, 'columns');
      return found;
    });
  }
  const clash = chosen.find((c) => c.name.toLowerCase() === DATE_COLUMN);
  if (clash) throw new InvalidInputError(`${table} has a column ${JSON.stringify(clash.name)}, the name of the snapshot's partition column; leave it out with --columns`, 'columns');
  return chosen;
}

/** YYYYMMDD of a real calendar day, as a number. */
function parseDate(text: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  const day = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!match || !day || day.getUTCFullYear() !== Number(match[1]) || day.getUTCMonth() !== Number(match[2]) - 1 || day.getUTCDate() !== Number(match[3])) {
    throw new InvalidInputError(`Date ${JSON.stringify(text)} is not a day written YYYYMMDD, e.g. 20260105`, 'date');
  }
  return Number(text);
}

function parseSource(text: string): [string, string] {
  const dot = text.indexOf('.');
  if (dot <= 0 || dot === text.length - 1) throw new InvalidInputError(`Source ${JSON.stringify(text)} must be DATABASE.TABLE (a PostgreSQL schema, a MariaDB database or SQLite's main, then the table)`, 'source');
  return [text.slice(0, dot), text.slice(dot + 1)];
}

function parseInto(text: string): TableIdentifier {
  const id = parseIdentifier(text);
  if (id.namespace.length === 0 || id.namespace.some((p) => p === '') || id.name === '') {
    throw new InvalidInputError(`Target ${JSON.stringify(text)} must be NAMESPACE.TABLE, a warehouse table`, 'into');
  }
  return id;
}

function sameType(a: IcebergType, b: IcebergType): boolean {
  return typeText(a) === typeText(b);
}

function typeText(type: IcebergType): string {
  if (isPrimitive(type)) return primitiveToString(type);
  if (type.kind === 'list') return `list<${typeText(type.element)}>`;
  return type.kind;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
