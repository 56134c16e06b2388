import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.ts';

/**
 * A lease row in the database that at most one server node holds at a time: acquiring and renewing
 * are compare-and-set updates (`where holder = me or expires_at < now`), so nodes sharing one
 * PostgreSQL agree on a single leader without any other coordination service.
 */
export class LeaderLease {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly name: string,
    readonly holder: string,
    private readonly ttlMs: number,
    private readonly isUniqueViolation: (error: unknown) => boolean,
  ) {}

  /** Takes or renews the lease; answers whether this node holds it now. */
  async acquire(now = Date.now()): Promise<boolean> {
    const expires = now + this.ttlMs;
    const renewed = await this.db
      .updateTable('job_leader_lease')
      .set({ holder: this.holder, expires_at: expires })
      .where('name', '=', this.name)
      .where((eb) => eb.or([eb('holder', '=', this.holder), eb('expires_at', '<', now)]))
      .executeTakeFirst();
    if (Number(renewed.numUpdatedRows) === 1) return true;
    try {
      await this.db.insertInto('job_leader_lease').values({ name: this.name, holder: this.holder, expires_at: expires }).execute();
      return true;
    } catch (error) {
      if (this.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Gives the lease up so another node can take over at once (on orderly shutdown). */
  async release(): Promise<void> {
    await this.db.deleteFrom('job_leader_lease').where('name', '=', this.name).where('holder', '=', this.holder).execute();
  }
}
