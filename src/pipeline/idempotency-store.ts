import type { Database } from '../db/database.ts';
import { ConflictError } from '../errors/conflict-error.ts';

/**
 * Idempotency-Key records of the collector. A request claims its key before appending (a unique
 * row, so two nodes racing on one key cannot both append), stores its answer after, and releases
 * the claim when the append failed so the client's retry can proceed. A retry of a finished
 * request gets the stored answer; one that arrives while the first is running gets a conflict.
 * A claim left unanswered for `staleClaimMs` (its node died between claiming and answering) is
 * taken over by the next retry, with a compare-and-swap on its claim time so only one retry wins.
 * (Should the dead node's append have become durable, that retry appends the batch again: the
 * window is the node's crash between a durable append and storing the answer.)
 */
export class IdempotencyStore {
  constructor(
    private readonly database: Database,
    private readonly staleClaimMs = 120_000,
  ) {}

  /** The stored answer of a finished request, or undefined after claiming the key for this one. */
  async claim(stream: string, key: string): Promise<string | undefined> {
    const { db } = this.database;
    const inserted = await db
      .insertInto('pipeline_idempotency')
      .values({ stream, key, response: null, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['stream', 'key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return undefined;
    const row = await db.selectFrom('pipeline_idempotency').select(['response', 'created_at']).where('stream', '=', stream).where('key', '=', key).executeTakeFirst();
    if (row?.response) return row.response;
    if (row && Number(row.created_at) < Date.now() - this.staleClaimMs) {
      const taken = await db
        .updateTable('pipeline_idempotency')
        .set({ created_at: Date.now() })
        .where('stream', '=', stream)
        .where('key', '=', key)
        .where('response', 'is', null)
        .where('created_at', '=', Number(row.created_at))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) > 0) return undefined;
    }
    throw new ConflictError(`A request with Idempotency-Key ${JSON.stringify(key)} is still being processed; retry when it has been answered`, { field: 'Idempotency-Key' });
  }

  async complete(stream: string, key: string, response: string): Promise<void> {
    await this.database.db.updateTable('pipeline_idempotency').set({ response }).where('stream', '=', stream).where('key', '=', key).execute();
  }

  async release(stream: string, key: string): Promise<void> {
    await this.database.db.deleteFrom('pipeline_idempotency').where('stream', '=', stream).where('key', '=', key).where('response', 'is', null).execute();
  }

  /** Forgets answers older than `maxAgeMs` (a retry after that counts again). */
  async prune(maxAgeMs: number): Promise<void> {
    await this.database.db.deleteFrom('pipeline_idempotency').where('created_at', '<', Date.now() - maxAgeMs).where('response', 'is not', null).execute();
  }
}
