import { mkdirSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import { isQuarryError } from '../errors/quarry-error.ts';
import { quoteIdent, quoteString, DuckDbSession } from '../table/duckdb-session.ts';
import { bind, type Expression } from '../table/expression.ts';
import { isPrimitive } from '../table/iceberg-type.ts';
import { ManifestCache } from '../table/manifest-cache.ts';
import { localFileOf } from '../table/object-location.ts';
import type { Schema } from '../table/schema.ts';
import { TableData } from '../table/table-data.ts';
import { NoSuchTableError } from '../table/table-errors.ts';
import type { ScanPlan } from '../table/table-scan.ts';
import type { Table } from '../table/table.ts';
import { parseTimestamp } from '../table/values.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { QueryCancelledError, QueryFailedError } from './query-errors.ts';
import { readableArea } from './readable-area.ts';
import { SessionPool } from './session-pool.ts';
import { deparse, parseSelect } from './sql-tree.ts';
import { findTableReferences, type TableReference } from './table-references.ts';
import { rewriteTimeTravel } from './time-travel-syntax.ts';

export interface QueryEngineOptions {
  /** DuckDB's memory limit per query ('1GB'); past it a query spills to spillDirectory or fails. */
  memoryLimit: string;
  /** Folder for spill files (one private folder per query inside it, removed afterwards). */
  spillDirectory: string;
  threads?: number;
  /** Names that mean the warehouse as a catalog prefix (`warehouse.db.table`). */
  catalogNames: readonly string[];
  /**
   * Keep the next query's DuckDB opened ahead (a server node): opening one costs tens of
   * milliseconds, which a short query would otherwise pay each time. Call close() to free it.
   */
  warm?: boolean;
  /**
   * How many DuckDBs to keep after their queries, each restricted to the files and folders its query
   * could read, for the next query over exactly the same area (default 0: a fresh DuckDB per query).
   * A kept DuckDB holds up to memoryLimit of cached file bytes while idle. Call close() to free them.
   */
  keepSessions?: number;
}

/** What planning found for one table reference: the evidence of pruning. */
export interface TablePlanSummary {
  table: string;
  alias: string;
  snapshotId: string | null;
  /** The predicates the scan planning used, as Quarry's filter expressions. */
  pushedFilters: Expression[];
  dataFiles: number;
  skippedFiles: number;
  bytesPlanned: number;
  deleteFiles: number;
}

export interface QueryStats {
  dataFiles: number;
  skippedFiles: number;
  bytesRead: number;
  elapsedMs: number;
}

export interface QueryColumn {
  name: string;
  type: string;
}

/**
 * A query planned and ready to run in its own DuckDB: `rows()` yields the answer chunk by chunk (so a
 * large result streams), `cancel()` stops it from anywhere, `close()` frees it (always call it).
 */
export interface RunningQuery {
  readonly id: string;
  readonly sql: string;
  readonly tables: readonly TablePlanSummary[];
  columns(): Promise<QueryColumn[]>;
  rows(): AsyncIterable<unknown[][]>;
  /** Writes the whole result to a local file DuckDB's COPY way (the file must have been named at start). */
  copyTo(file: string, format: 'parquet' | 'csv'): Promise<number>;
  /** DuckDB's plan for the rewritten query (its EXPLAIN), instead of running it. */
  explain(): Promise<string>;
  stats(): QueryStats;
  cancel(): void;
  close(): void;
}

/**
 * SQL over warehouse tables. DuckDB parses the query (only a single SELECT parses: read-only by
 * construction); each `db.table` is replaced by a relation over the files Quarry's scan planning keeps
 * for the predicates of its WHERE clause (partition and min/max pruning, delete files applied,
 * columns by field id, time travel by snapshot or timestamp); the query then runs in a DuckDB of its
 * own that may read those files and nothing else, within a memory limit, spilling to a folder.
 */
export class QueryEngine {
  private sequence = 0;
  /** Decoded manifests, shared by every query of this engine (manifests never change). */
  private readonly manifests = new ManifestCache();
  private spare: Promise<DuckDbSession | undefined> | undefined;
  private readonly pool: SessionPool;
  /** Sessions of closed queries on their way back to the pool (their views being dropped). */
  private readonly releasing = new Set<Promise<void>>();
  /** Parses and prints users' SQL (json_serialize_sql and back), never runs it: no file is read there. */
  private parser: Promise<DuckDBInstance> | undefined;
  private closed = false;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly options: QueryEngineOptions,
  ) {
    this.pool = new SessionPool(options.keepSessions ?? 0);
  }

  /** Frees the DuckDBs kept for the next queries; queries still running are not affected. */
  close(): void {
    this.closed = true;
    void this.spare?.then((session) => session?.close());
    this.spare = undefined;
    this.pool.close();
    void this.parser?.then((instance) => instance.closeSync()).catch(() => undefined);
    this.parser = undefined;
  }

  /** DuckDBs kept restricted for the next query over the same files, once queries closed so far are released (for tests and metrics). */
  async idleSessions(): Promise<number> {
    await Promise.all(this.releasing);
    return this.pool.size();
  }

  /** A connection of its own for one query's parsing, on the engine's parsing DuckDB (opened once). */
  private async parserConnection(): Promise<DuckDBConnection> {
    this.parser ??= DuckDBInstance.create(':memory:', { threads: '1', memory_limit: '64MB', enable_external_access: 'false' });
    return (await this.parser).connect();
  }

  /** A fresh DuckDB for one query: the one opened ahead when there is one, and the next one opened ahead. */
  private async session(): Promise<DuckDbSession> {
    const ahead = this.spare;
    this.spare = undefined;
    const session = (await ahead) ?? (await this.openSession());
    if (this.options.warm && !this.closed) {
      // A failure to open ahead is not this query's: the next query opens its own and reports it.
      this.spare = this.openSession().catch(() => undefined);
    }
    return session;
  }

  /** A fresh DuckDB that may read these files and folders and nothing else. */
  private async restrictedSession(paths: readonly string[], directories: readonly string[]): Promise<DuckDbSession> {
    const session = await this.session();
    try {
      // Footers kept by file: a kept session reads the same files again, and each footer costs as
      // much to parse as the path checks of the restriction do (bench/RESULTS.md).
      await session.run('SET parquet_metadata_cache = true');
      await session.restrictTo(paths, directories);
      return session;
    } catch (error) {
      session.close();
      throw error;
    }
  }

  /** Drops a finished query's views and keeps its session for the next query over the same area. */
  private async release(key: string, session: DuckDbSession, views: number): Promise<void> {
    try {
      for (let i = 0; i < views; i++) await session.run(`DROP VIEW IF EXISTS ${quoteIdent(`__quarry_scan_${i}`)}`);
    } catch {
      session.close();
      return;
    }
    if (this.closed) session.close();
    else this.pool.give(key, session);
  }

  private openSession(): Promise<DuckDbSession> {
    return DuckDbSession.open({ memoryLimit: this.options.memoryLimit, threads: this.options.threads, spillDirectory: this.options.spillDirectory });
  }

  /** Plans a query; the DuckDB behind it stays open until close(). */
  async start(sql: string, signal?: AbortSignal, options: { outputFiles?: readonly string[] } = {}): Promise<RunningQuery> {
    const started = performance.now();
    if (typeof sql !== 'string' || sql.trim() === '') throw new InvalidInputError('Field sql must be a SELECT statement (got an empty string)', 'sql');
    mkdirSync(this.options.spillDirectory, { recursive: true });
    let session: DuckDbSession | undefined;
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      session?.interrupt();
    };
    signal?.addEventListener('abort', cancel, { once: true });
    let parser: DuckDBConnection;
    try {
      parser = await this.parserConnection();
    } catch (error) {
      signal?.removeEventListener('abort', cancel);
      throw error;
    }
    let parserOpen = true;
    const closeParser = () => {
      if (parserOpen) parser.closeSync();
      parserOpen = false;
    };
    let views = 0;
    try {
      const tree = await parseSelect(parser, rewriteTimeTravel(sql));
      const tables = new Map<string, Table>();
      const loadTable = async (namespace: string, name: string) => {
        const key = `${namespace}.${name}`.toLowerCase();
        if (!tables.has(key)) {
          try {
            tables.set(key, await this.warehouse.loadTable({ namespace: [namespace], name }));
          } catch (error) {
            if (error instanceof NoSuchTableError || (isQuarryError(error) && error.kind === 'not_found')) {
              throw new NotFoundError(`Table ${namespace}.${name} does not exist in the warehouse`, { table: `${namespace}.${name}` });
            }
            throw error;
          }
        }
        return tables.get(key)!;
      };
      // Load every referenced table first: unqualified columns are assigned by the tables' columns.
      const named = findTableReferences(tree.root, () => undefined, this.options.catalogNames);
      for (const ref of named) await loadTable(ref.namespace, ref.name);
      const columnsOf = (namespace: string, name: string) => tables.get(`${namespace}.${name}`.toLowerCase())?.schema().fields.map((f) => f.name);
      const refs = findTableReferences(tree.root, columnsOf, this.options.catalogNames);
      const planned: { ref: TableReference; table: Table; plan: ScanPlan; filters: Expression[] }[] = [];
      for (const ref of refs) {
        const table = await loadTable(ref.namespace, ref.name);
        let scan = table.newScan().withManifestReader(this.manifests.read);
        if (ref.asOf && 'snapshotId' in ref.asOf) {
          const wanted = ref.asOf.snapshotId;
          if (!table.history().some((s) => s.snapshotId === wanted)) {
            throw new NotFoundError(`Table ${ref.namespace}.${ref.name} has no snapshot ${ref.asOf.snapshotId} (FOR VERSION AS OF)`, { snapshotId: String(ref.asOf.snapshotId) });
          }
          scan = scan.useSnapshot(ref.asOf.snapshotId);
        } else if (ref.asOf && 'timestamp' in ref.asOf) {
          const micros = parseTimestamp(ref.asOf.timestamp, true);
          if (micros === undefined) throw new InvalidInputError(`FOR TIMESTAMP AS OF ${JSON.stringify(ref.asOf.timestamp)} is not a timestamp: use 'YYYY-MM-DD HH:MM:SS[+HH:MM]'`, 'sql');
          const ms = Number(micros / 1000n);
          const first = table.history()[0];
          if (!first || first.timestampMs > ms) throw new NotFoundError(`Table ${ref.namespace}.${ref.name} has no snapshot at or before ${ref.asOf.timestamp}`, { table: `${ref.namespace}.${ref.name}` });
          scan = scan.asOfTime(ms);
        }
        const filters = ref.predicates.filter((p) => pushable(p, scan.schema()));
        if (filters.length > 0) scan = scan.filter(filters.length === 1 ? filters[0]! : { op: 'and', args: filters });
        planned.push({ ref, table, plan: await scan.planFiles(), filters });
      }
      const readable: string[] = [];
      for (const { table, plan } of planned) {
        for (const task of plan.tasks) for (const file of [task.file, ...task.deletes]) readable.push(await table.io.localPath(file.filePath));
      }
      const tableFolders = planned.flatMap(({ table }) => localFileOf(table.location()) ?? []);
      const area = readableArea(readable, tableFolders, localFileOf(this.warehouse.root));
      // A query that writes output files has an area of its own; it is never kept for another.
      const poolKey = (options.outputFiles ?? []).length === 0 ? SessionPool.keyOf(area) : undefined;
      session = (poolKey !== undefined ? this.pool.take(poolKey) : undefined) ?? (await this.restrictedSession([...area.paths, ...(options.outputFiles ?? [])], area.directories));
      if (cancelled) throw new QueryCancelledError('The query was cancelled');
      const data = new TableData(session);
      for (const [i, { ref, table, plan }] of planned.entries()) {
        const view = `__quarry_scan_${i}`;
        await session.run(`CREATE TEMP VIEW ${quoteIdent(view)} AS ${await data.planSql(table, plan)}`);
        views = i + 1;
        Object.assign(ref.node, { schema_name: '', catalog_name: '', table_name: view, alias: ref.alias, at_clause: null });
      }
      const finalSql = await deparse(parser, tree);
      closeParser();
      const running = session;
      let failed = false;
      const summaries = planned.map(({ ref, plan, filters }) => summarize(ref, plan, filters));
      const dataFiles = summaries.reduce((n, s) => n + s.dataFiles, 0);
      const skippedFiles = summaries.reduce((n, s) => n + s.skippedFiles, 0);
      const bytesRead = summaries.reduce((n, s) => n + s.bytesPlanned, 0);
      let result: DuckDBResult | undefined;
      // True when no result is left half read on the session (none started, or the last one read to its end).
      let complete = true;
      let closed = false;
      const id = `q${process.pid.toString(36)}-${(++this.sequence).toString(36)}-${Date.now().toString(36)}`;
      const guard = async <T>(work: () => Promise<T>): Promise<T> => {
        try {
          return await wrap(work, () => cancelled);
        } catch (error) {
          failed = true;
          throw error;
        }
      };
      const execute = async () => {
        if (!result) {
          result = await guard(() => running.connection.stream(finalSql));
          complete = false;
        }
        return result;
      };
      return {
        id,
        sql: finalSql,
        tables: summaries,
        async columns() {
          const r = await execute();
          return r.columnNames().map((name, c) => ({ name, type: r.columnTypes()[c]!.toString() }));
        },
        async *rows() {
          const r = await execute();
          const wide = r.columnTypes().map((t) => WIDE_INTEGERS.has(t.toString()));
          const iterator = r.yieldRowsJson();
          while (true) {
            const next = await guard(() => iterator.next());
            if (next.done) {
              complete = true;
              return;
            }
            yield wide.some(Boolean) ? (next.value as unknown[][]).map((row) => row.map((v, c) => (wide[c] ? safeNumber(v) : v))) : (next.value as unknown[][]);
          }
        },
        async copyTo(file, format) {
          if (!(options.outputFiles ?? []).includes(file)) throw new InvalidInputError(`Output file ${file} was not named when the query started`, 'output');
          const reader = await guard(() => running.connection.runAndReadAll(`COPY (${finalSql}) TO ${quoteString(file)} (FORMAT ${format === 'parquet' ? "parquet, COMPRESSION 'zstd'" : 'csv, HEADER true'})`));
          return Number(reader.getRows()[0]?.[0] ?? 0);
        },
        async explain() {
          const reader = await guard(() => running.connection.runAndReadAll(`EXPLAIN ${finalSql}`));
          return reader
            .getRows()
            .map((row) => String(row[1]))
            .join('\n');
        },
        stats: () => ({ dataFiles, skippedFiles, bytesRead, elapsedMs: Math.round((performance.now() - started) * 10) / 10 }),
        cancel,
        close: () => {
          signal?.removeEventListener('abort', cancel);
          if (closed) return;
          closed = true;
          // Kept only after a clean end: no statement may still be running on it (a result left
          // half read, a failure or an interrupt), and its views go so nothing of this query stays.
          if (poolKey === undefined || cancelled || failed || !complete || this.closed) running.close();
          else {
            const released = this.release(poolKey, running, views).finally(() => this.releasing.delete(released));
            this.releasing.add(released);
          }
        },
      };
    } catch (error) {
      signal?.removeEventListener('abort', cancel);
      closeParser();
      session?.close();
      if (cancelled) throw new QueryCancelledError('The query was cancelled');
      throw translate(error);
    }
  }
}

/** 64-bit and wider integers arrive as strings in DuckDB's JSON form; those a JSON number holds exactly become numbers. */
const WIDE_INTEGERS = new Set(['BIGINT', 'UBIGINT', 'HUGEINT', 'UHUGEINT']);

function safeNumber(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

/**
 * Runs a DuckDB call, turning its errors into Quarry's (a cancelled query, or DuckDB's message about
 * the SQL). DuckDB only sees an interrupt while a statement runs, so a cancel that came between two
 * calls (before the query started, or between two chunks) is checked on both sides of each call.
 */
async function wrap<T>(work: () => Promise<T>, cancelled: () => boolean): Promise<T> {
  try {
    if (cancelled()) throw new QueryCancelledError('The query was cancelled');
    const value = await work();
    if (cancelled()) throw new QueryCancelledError('The query was cancelled');
    return value;
  } catch (error) {
    if (cancelled()) throw new QueryCancelledError('The query was cancelled');
    throw translate(error);
  }
}

function translate(error: unknown): unknown {
  if (isQuarryError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/Out of Memory/i.test(message)) return new QueryFailedError(`The query needs more memory than its limit and could not spill enough: ${firstLine(message)}`);
  if (/^(Binder|Parser|Catalog|Conversion|Invalid Input|Permission|Not implemented|Constraint|Out of Range|Type Mismatch) Error/i.test(message)) {
    return new QueryFailedError(firstLine(message).replaceAll(/__quarry_scan_\d+/g, 'table'));
  }
  return error;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!;
}

/**
 * Whether a predicate may prune this schema's files: every literal is of the column's kind (a number
 * for a numeric column, a string for the rest, as DuckDB would compare them without surprising
 * casts) and binding succeeds. Anything else is left to DuckDB alone.
 */
function pushable(expression: Expression, schema: Schema): boolean {
  const leavesFit = (e: Expression): boolean => {
    switch (e.op) {
      case 'true':
      case 'false':
        return true;
      case 'and':
      case 'or':
        return e.args.every(leavesFit);
      case 'not':
        return leavesFit(e.arg);
      case 'isNull':
      case 'notNull':
        return schema.findField(e.column) !== undefined;
      default: {
        const field = schema.findField(e.column);
        if (!field || !isPrimitive(field.type)) return false;
        const values = 'values' in e ? e.values : [e.value];
        const numeric = ['int', 'long', 'float', 'double', 'decimal'].includes(field.type.kind);
        return values.every((v) =>
          typeof v === 'number' || typeof v === 'bigint' ? numeric && field.type.kind !== 'decimal' : typeof v === 'boolean' ? field.type.kind === 'boolean' : typeof v === 'string',
        );
      }
    }
  };
  if (!leavesFit(expression)) return false;
  try {
    bind(expression, schema);
    return true;
  } catch {
    return false;
  }
}

function summarize(ref: TableReference, plan: ScanPlan, filters: Expression[]): TablePlanSummary {
  const m = plan.metrics;
  return {
    table: `${ref.namespace}.${ref.name}`,
    alias: ref.alias,
    snapshotId: plan.snapshot ? String(plan.snapshot.snapshotId) : null,
    pushedFilters: filters,
    dataFiles: m.filesSelected,
    // Files in manifests whose partition summaries ruled them out were never listed: count them from the snapshot's totals.
    skippedFiles: Math.max(Number(plan.snapshot?.summary?.['total-data-files'] ?? m.filesConsidered), m.filesConsidered) - m.filesSelected,
    bytesPlanned: m.bytesSelected,
    deleteFiles: m.deleteFilesSelected,
  };
}
