import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataFile } from '../table/data-file.ts';
import type { DuckDbSession } from '../table/duckdb-session.ts';
import { quoteIdent, quoteString } from '../table/duckdb-session.ts';
import { duckType, writeDataFiles } from '../table/parquet-writer.ts';
import type { Schema } from '../table/schema.ts';
import { CommitStateUnknownError } from '../table/table-errors.ts';
import { TableData } from '../table/table-data.ts';
import type { Table } from '../table/table.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { committedState, sameOffsets, OffsetCheckedAppend, OffsetsMovedError, WORKER_KEY, type Offsets } from './committed-offsets.ts';
import type { LogEntry } from './collector.ts';
import type { EventLog, LogRecord } from './event-log.ts';
import { deadLetterTable, tableIdentifier, type StreamDefinition } from './stream-definition.ts';

const ROW_PREFIX = '{"v":';

/** A DuckDB relation over an NDJSON file of rows: every table column typed, a missing key is NULL. */
function jsonRowsSql(file: string, schema: Schema): string {
  const columns = schema.fields.map((f) => `${quoteString(f.name)}: ${quoteString(duckType(f.type))}`);
  return `SELECT ${schema.fields.map((f) => quoteIdent(f.name)).join(', ')} FROM read_json(${quoteString(file)}, format = 'newline_delimited', columns = {${columns.join(', ')}})`;
}

export interface SinkOptions {
  /** Commit once this many records are buffered… */
  maxRecords: number;
  /** …or once the oldest buffered record is this old (freshness). */
  maxAgeMs: number;
  /** Compact small files of a table after this many pipeline commits to it (0: never). */
  compactEvery: number;
  /** Rewrite a partition's small files once it has this many (default 8). */
  compactMinFiles?: number;
  /** Recorded in each commit's snapshot summary (WORKER_KEY). */
  workerId?: string;
}

/** What one flush did, for status and tests. */
export interface FlushResult {
  rows: number;
  deadLetters: number;
  /** A commit lost to another worker (its batch was dropped and the sink reloaded). */
  lost: boolean;
}

/**
 * Moves one stream's records from the log into its table and dead-letter table, exactly once.
 * Each table's snapshot summary holds the log offsets it has committed (OFFSETS_KEY); on start the
 * sink reads from the lower of the two tables' offsets per partition, and each table takes only the
 * records at or past its own offsets, so a crash between the two commits loses and repeats nothing.
 * Commits are compare-and-swap on those offsets (OffsetCheckedAppend), so a second worker on the
 * same stream can only lose a race, never commit a record twice.
 */
export class StreamSink {
  private table!: Table;
  private dead!: Table;
  private dataBase: Offsets = {};
  private deadBase: Offsets = {};
  /** The partitions this sink reads; undefined: all of them. */
  private owned: ReadonlySet<number> | undefined;
  /** Next offset to read per partition (past the buffer). */
  private position: Offsets = {};
  private buffer: LogRecord[][] = [];
  private buffered = 0;
  private oldest = Infinity;
  private loaded = false;
  private commitsSinceCompaction = 0;

  constructor(
    readonly stream: string,
    private readonly definition: StreamDefinition,
    private readonly warehouse: Warehouse,
    private readonly log: EventLog,
    private readonly session: DuckDbSession,
    private readonly options: SinkOptions,
  ) {}

  /** Reads what is new; commits when the buffer is full, old enough, or `force` is set. Answers whether it committed. */
  async step(force = false): Promise<FlushResult | undefined> {
    if (!this.loaded) await this.load();
    const partitions = await this.log.partitionCount(this.stream);
    for (let p = 0; p < partitions; p++) {
      if (this.buffered >= this.options.maxRecords) break;
      if (this.owned && !this.owned.has(p)) continue;
      this.buffer[p] ??= [];
      this.position[p] ??= Math.min(this.dataBase[p] ?? 0, this.deadBase[p] ?? 0);
      const records = await this.log.read(this.stream, p, this.position[p], this.options.maxRecords - this.buffered);
      if (records.length === 0) continue;
      // No spread: a read of 200,000 records would pass the call stack's argument limit.
      for (const r of records) this.buffer[p].push(r);
      this.buffered += records.length;
      this.position[p] = records[records.length - 1].offset + 1;
      if (records[0].appendedAt < this.oldest) this.oldest = records[0].appendedAt;
    }
    if (this.buffered === 0) return undefined;
    if (!force && this.buffered < this.options.maxRecords && Date.now() - this.oldest < this.options.maxAgeMs) return undefined;
    return this.flush();
  }

  /**
   * Restricts the sink to these partitions (the ones its worker holds leases on); a change drops
   * what is buffered and reloads, so a partition given up is never committed from a stale buffer.
   */
  assign(partitions: readonly number[]): void {
    const next = new Set(partitions);
    if (this.owned && this.owned.size === next.size && [...next].every((p) => this.owned!.has(p))) return;
    this.owned = next;
    this.loaded = false;
  }

  /** Loads tables and committed offsets afresh, dropping anything buffered. */
  async load(): Promise<void> {
    this.table = await this.warehouse.loadTable(tableIdentifier(this.definition.table));
    this.dead = await this.warehouse.loadTable(tableIdentifier(deadLetterTable(this.definition.table)));
    const data = committedState(this.table.metadata(), this.stream);
    const dead = committedState(this.dead.metadata(), this.stream);
    this.dataBase = data.offsets;
    this.deadBase = dead.offsets;
    this.position = {};
    this.buffer = [];
    this.buffered = 0;
    this.oldest = Infinity;
    const partitions = await this.log.partitionCount(this.stream);
    for (let p = 0; p < partitions; p++) {
      if (!this.owned || this.owned.has(p)) this.position[p] = Math.min(this.dataBase[p] ?? 0, this.deadBase[p] ?? 0);
    }
    await this.log.seek?.(this.stream, this.position);
    this.loaded = true;
  }

  private async flush(): Promise<FlushResult> {
    const rows: string[] = [];
    const deadRows: string[] = [];
    const next: Offsets = {};
    for (const [p, records] of this.buffer.entries()) {
      if (!records) continue;
      next[p] = this.position[p];
      for (const r of records) {
        // A valid event's record is `{"v":<row>}` as the collector wrote it: its row is passed on as
        // text, without decoding and encoding it again.
        if (r.value.startsWith(ROW_PREFIX)) {
          if (r.offset >= (this.dataBase[p] ?? 0)) rows.push(r.value.slice(ROW_PREFIX.length, -1));
          continue;
        }
        const entry = JSON.parse(r.value) as LogEntry;
        if ('v' in entry) {
          if (r.offset >= (this.dataBase[p] ?? 0)) rows.push(JSON.stringify(entry.v));
        } else if (r.offset >= (this.deadBase[p] ?? 0)) {
          deadRows.push(JSON.stringify({ raw: entry.d.raw, reason: entry.d.reason, received_at: new Date(entry.d.at).toISOString(), line: entry.d.line }));
        }
      }
    }
    // Reading starts at the lower of the two tables' offsets, so the buffer may end below one of them.
    const advance = (base: Offsets): Offsets => {
      const out = { ...base };
      for (const [p, o] of Object.entries(next)) out[Number(p)] = Math.max(o, base[Number(p)] ?? 0);
      return out;
    };
    const dataNext = advance(this.dataBase);
    const deadNext = advance(this.deadBase);
    try {
      if (!sameOffsets(dataNext, this.dataBase)) {
        await this.commit(this.table, this.dataBase, dataNext, rows);
        this.dataBase = dataNext;
      }
      // The dead-letter table records its offsets even with nothing new: restarts and log retention
      // go back to the lower of the two tables' offsets, so it must keep up (an empty snapshot is cheap).
      if (!sameOffsets(deadNext, this.deadBase)) {
        await this.commit(this.dead, this.deadBase, deadNext, deadRows);
        this.deadBase = deadNext;
      }
    } catch (error) {
      // Lost to another worker, or unknown outcome: the tables say what is committed; start over from them.
      this.loaded = false;
      if (error instanceof OffsetsMovedError || error instanceof CommitStateUnknownError) return { rows: 0, deadLetters: 0, lost: true };
      throw error;
    }
    this.buffer = [];
    this.buffered = 0;
    this.oldest = Infinity;
    for (const p of Object.keys(next).map(Number)) {
      await this.log.release(this.stream, p, Math.min(this.dataBase[p] ?? 0, this.deadBase[p] ?? 0));
    }
    if (this.options.compactEvery > 0 && ++this.commitsSinceCompaction >= this.options.compactEvery) {
      this.commitsSinceCompaction = 0;
      await this.compact();
    }
    return { rows: rows.length, deadLetters: deadRows.length, lost: false };
  }

  /**
   * Commits `rows` (one JSON object per element) with the offsets they take the table to; only the
   * partitions whose offsets move are compared and set, so workers holding other partitions of the
   * stream do not conflict with this commit.
   */
  private async commit(table: Table, base: Offsets, offsets: Offsets, rows: readonly string[]): Promise<void> {
    const expected: Offsets = {};
    const next: Offsets = {};
    for (const [key, offset] of Object.entries(offsets)) {
      const p = Number(key);
      if (offset === (base[p] ?? 0)) continue;
      expected[p] = base[p] ?? 0;
      next[p] = offset;
    }
    await table.refresh();
    let files: DataFile[] = [];
    if (rows.length > 0) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-sink-'));
      try {
        const file = path.join(dir, 'rows.ndjson');
        writeFileSync(file, rows.join('\n') + '\n');
        files = await writeDataFiles(this.session, table.io, table.metadata(), jsonRowsSql(file, table.schema()));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const append = new OffsetCheckedAppend(table.ops, this.stream, expected, next, rows.length).appendFiles(files);
    if (this.options.workerId !== undefined) append.set(WORKER_KEY, this.options.workerId);
    try {
      await append.commit();
    } catch (error) {
      // After a known failure the files belong to no snapshot; after an unknown one they might.
      if (!(error instanceof CommitStateUnknownError)) await Promise.all(files.map((f) => table.io.delete(f.filePath).catch(() => undefined)));
      throw error;
    }
  }

  /** Rewrites small files of both tables; a conflict with a concurrent commit just waits for next time. */
  private async compact(): Promise<void> {
    const data = new TableData(this.session);
    for (const table of [this.table, this.dead]) {
      await data.compact(table, { smallFileBytes: 32 * 1024 * 1024, minFiles: this.options.compactMinFiles ?? 8 }).catch(() => undefined);
    }
  }
}
