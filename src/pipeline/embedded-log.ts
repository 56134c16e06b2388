import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { partitionForKey, LogUnavailableError, type AppendRecord, type EventLog, type LogRecord } from './event-log.ts';

export interface EmbeddedLogOptions {
  /** Bytes of unreleased records one stream may hold before appends are refused (backpressure). */
  maxStreamBytes: number;
}

/**
 * The event log in the metadata database, for a platform without a broker. Each append is one
 * transaction per call: it advances each partition's head (a row lock, so offsets are assigned in
 * commit order and a reader never sees a gap fill in later) and stores the partition's records as
 * one batch row. Durable once the transaction commits (SQLite WAL or PostgreSQL). Bounded: a
 * stream's unreleased bytes may not pass maxStreamBytes; past that, appends fail with
 * LogUnavailableError until the sink commits and releases records.
 */
export class EmbeddedLog implements EventLog {
  readonly kind = 'embedded' as const;
  private roundRobin = 0;

  constructor(
    private readonly database: Database,
    private readonly options: EmbeddedLogOptions,
  ) {}

  async ensureStream(stream: string, partitions: number): Promise<void> {
    const { db } = this.database;
    const existing = await this.partitionCount(stream);
    for (let p = existing; p < partitions; p++) {
      await db
        .insertInto('pipeline_log_head')
        .values({ stream, partition: p, next_offset: 0, retained_bytes: 0 })
        .onConflict((oc) => oc.columns(['stream', 'partition']).doNothing())
        .execute();
    }
  }

  async partitionCount(stream: string): Promise<number> {
    const row = await this.database.db.selectFrom('pipeline_log_head').select((eb) => eb.fn.countAll<number>().as('n')).where('stream', '=', stream).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async append(stream: string, records: readonly AppendRecord[]): Promise<void> {
    if (records.length === 0) return;
    const partitions = await this.partitionCount(stream);
    if (partitions === 0) throw new LogUnavailableError(`Stream ${JSON.stringify(stream)} has no log partitions`, 1);
    const byPartition = new Map<number, string[]>();
    // Unkeyed records of one call stay together (one batch row); calls rotate over the partitions.
    const unkeyed = this.roundRobin++ % partitions;
    for (const r of records) {
      const p = r.key === undefined ? unkeyed : partitionForKey(r.key, partitions);
      let list = byPartition.get(p);
      if (!list) byPartition.set(p, (list = []));
      list.push(r.value);
    }
    const now = Date.now();
    const limit = this.options.maxStreamBytes;
    await this.database.db.transaction().execute(async (trx) => {
      for (const [partition, values] of [...byPartition.entries()].sort((a, b) => a[0] - b[0])) {
        const text = values.join('\n');
        const bytes = Buffer.byteLength(text);
        // The update comes first so SQLite takes its write lock at once (no read-to-write upgrade).
        const head = await trx
          .updateTable('pipeline_log_head')
          .set({ next_offset: sql<number>`next_offset + ${values.length}`, retained_bytes: sql<number>`retained_bytes + ${bytes}` })
          .where('stream', '=', stream)
          .where('partition', '=', partition)
          .returning(['next_offset'])
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('pipeline_log_batch')
          .values({ stream, partition, first_offset: Number(head.next_offset) - values.length, count: values.length, bytes, appended_at: now, records: text })
          .execute();
      }
      const total = await trx.selectFrom('pipeline_log_head').select((eb) => eb.fn.sum<number>('retained_bytes').as('bytes')).where('stream', '=', stream).executeTakeFirst();
      if (Number(total?.bytes ?? 0) > limit) {
        throw new LogUnavailableError(`The log of stream ${JSON.stringify(stream)} is full (${limit} bytes not yet committed to the table); retry after the sink catches up`, 5);
      }
    });
  }

  async read(stream: string, partition: number, offset: number, maxRecords: number): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    let from = offset;
    for (;;) {
      const batches = await this.database.db
        .selectFrom('pipeline_log_batch')
        .select(['first_offset', 'appended_at', 'records'])
        .where('stream', '=', stream)
        .where('partition', '=', partition)
        .where(sql<boolean>`first_offset + count > ${from}`)
        .orderBy('first_offset')
        .limit(16)
        .execute();
      for (const batch of batches) {
        const first = Number(batch.first_offset);
        const values = batch.records.split('\n');
        for (let i = Math.max(0, from - first); i < values.length; i++) {
          if (out.length === maxRecords) return out;
          out.push({ offset: first + i, value: values[i], appendedAt: Number(batch.appended_at) });
        }
        from = first + values.length;
      }
      if (batches.length < 16 || out.length >= maxRecords) return out;
    }
  }

  async endOffset(stream: string, partition: number): Promise<number> {
    const row = await this.database.db.selectFrom('pipeline_log_head').select('next_offset').where('stream', '=', stream).where('partition', '=', partition).executeTakeFirst();
    return Number(row?.next_offset ?? 0);
  }

  async release(stream: string, partition: number, offset: number): Promise<void> {
    await this.database.db.transaction().execute(async (trx) => {
      const gone = await trx
        .deleteFrom('pipeline_log_batch')
        .where('stream', '=', stream)
        .where('partition', '=', partition)
        .where(sql<boolean>`first_offset + count <= ${offset}`)
        .returning(['bytes'])
        .execute();
      const bytes = gone.reduce((n, r) => n + Number(r.bytes), 0);
      if (bytes > 0) {
        await trx
          .updateTable('pipeline_log_head')
          .set({ retained_bytes: sql<number>`retained_bytes - ${bytes}` })
          .where('stream', '=', stream)
          .where('partition', '=', partition)
          .execute();
      }
    });
  }

  async close(): Promise<void> {}
}
