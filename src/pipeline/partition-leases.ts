import { randomUUID } from 'node:crypto';
import type { Database } from '../db/database.ts';

export interface PartitionLeasesOptions {
  /** A worker not seen for this long is gone, and its leases may be taken. */
  ttlMs: number;
  /** This worker's id (default: a new random one, so a restarted process is a new worker). */
  workerId?: string;
}

/**
 * Which partitions of a stream's log this sink worker reads, so that several workers (processes or
 * nodes) share a topic instead of all reading everything. Each round a worker records its heartbeat
 * and lists the live workers; partition p belongs to the live worker at p modulo their count (by
 * id), and a worker reads a partition only while it holds that partition's lease in the metadata
 * database: it renews the leases it should hold, takes them over when free or expired, and gives
 * up those it should no longer hold. A worker that dies stops renewing; its partitions pass on once
 * its leases expire. Leases keep the work apart; they are not what keeps it exactly once — two
 * workers that briefly both read a partition still cannot both commit it, because commits are
 * compare-and-swap on the table's offsets (OffsetCheckedAppend).
 */
export class PartitionLeases {
  readonly workerId: string;

  constructor(
    private readonly database: Database,
    private readonly options: PartitionLeasesOptions,
  ) {
    this.workerId = options.workerId ?? randomUUID();
  }

  /** Records this worker's heartbeat; answers the ids of the live workers (this one included), sorted. */
  async heartbeat(): Promise<string[]> {
    const { db } = this.database;
    const now = Date.now();
    await db
      .insertInto('pipeline_sink_worker')
      .values({ id: this.workerId, seen_at: now })
      .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: now }))
      .execute();
    // Long-gone workers' rows would only grow the table; their leases expired long before.
    await db.deleteFrom('pipeline_sink_worker').where('seen_at', '<', now - 10 * this.options.ttlMs).execute();
    const rows = await db.selectFrom('pipeline_sink_worker').select('id').where('seen_at', '>=', now - this.options.ttlMs).execute();
    return rows.map((r) => r.id).sort();
  }

  /**
   * Renews or takes the leases of the stream's partitions that fall to this worker among `live`
   * workers, gives up the others it holds, and answers the partitions it now holds.
   */
  async acquire(stream: string, partitions: number, live: readonly string[]): Promise<number[]> {
    const { db } = this.database;
    const workers = live.includes(this.workerId) ? live : [...live, this.workerId].sort();
    const mine = workers.indexOf(this.workerId);
    const now = Date.now();
    const held: number[] = [];
    for (let p = 0; p < partitions; p++) {
      if (p % workers.length !== mine) continue;
      await db
        .insertInto('pipeline_sink_lease')
        .values({ stream, partition: p, owner: this.workerId, expires_at: now + this.options.ttlMs })
        .onConflict((oc) => oc.columns(['stream', 'partition']).doNothing())
        .execute();
      const taken = await db
        .updateTable('pipeline_sink_lease')
        .set({ owner: this.workerId, expires_at: now + this.options.ttlMs })
        .where('stream', '=', stream)
        .where('partition', '=', p)
        .where((eb) => eb.or([eb('owner', '=', this.workerId), eb('expires_at', '<', now)]))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) > 0) held.push(p);
    }
    // Partitions that now fall to another worker: let go at once, so it need not wait for expiry.
    await db
      .deleteFrom('pipeline_sink_lease')
      .where('stream', '=', stream)
      .where('owner', '=', this.workerId)
      .$if(held.length > 0, (q) => q.where('partition', 'not in', held))
      .execute();
    return held;
  }

  /** Gives up every lease and the heartbeat (a clean stop), so other workers take over at once. */
  async releaseAll(): Promise<void> {
    const { db } = this.database;
    await db.deleteFrom('pipeline_sink_lease').where('owner', '=', this.workerId).execute();
    await db.deleteFrom('pipeline_sink_worker').where('id', '=', this.workerId).execute();
  }
}
