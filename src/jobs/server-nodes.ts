import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tables } from '../db/tables.ts';

/**
 * The server nodes of one cluster as the shared database knows them. A node that listens advertises
 * the URL agents should use for it (`advertise`) and renews it every `renewMs`; `live` answers the
 * URLs renewed within `liveMs`, so an agent started with one URL can learn the others and fail over
 * when its node dies. A node that stops in order withdraws its row; one that dies ages out. A
 * renewal that fails (database away) is retried on the next tick: being listed is a hint to agents,
 * never a condition for serving.
 */
export class ServerNodes {
  readonly id = randomUUID();
  private timer?: NodeJS.Timeout;
  private url?: string;
  private started = 0;

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly renewMs: number,
    private readonly liveMs: number,
  ) {}

  /** This node's id once it advertises (its row is renewed); undefined before, or for a node that does not listen. */
  get advertisedId(): string | undefined {
    return this.url === undefined ? undefined : this.id;
  }

  /** Records this node under `url` now and keeps renewing it until `withdraw`. */
  async advertise(url: string, now = Date.now()): Promise<void> {
    this.url = url.replace(/\/+$/, '');
    this.started = now;
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.renew().catch(() => undefined), this.renewMs);
    this.timer.unref();
    await this.renew(now).catch(() => undefined);
  }

  /** Writes this node's row with a fresh heartbeat (insert or update). */
  async renew(now = Date.now()): Promise<void> {
    if (this.url === undefined) return;
    const values = { url: this.url, heartbeat_at: now };
    await this.db
      .insertInto('server_node')
      .values({ id: this.id, started: this.started, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
  }

  /** The URLs of nodes renewed since `now - liveMs`, oldest node first, without duplicates. */
  async live(now = Date.now()): Promise<string[]> {
    const rows = await this.db.selectFrom('server_node').select(['url']).where('heartbeat_at', '>=', now - this.liveMs).orderBy('started').orderBy('id').execute();
    return [...new Set(rows.map((row) => row.url))];
  }

  /** Stops renewing and removes this node's row (orderly shutdown), so agents stop trying it at once. */
  async withdraw(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.url === undefined) return;
    await this.db.deleteFrom('server_node').where('id', '=', this.id).execute().catch(() => undefined);
  }
}
