import type { Kysely } from 'kysely';
import type { Tables } from '../../db/tables.ts';
import type { CatalogEvent, CatalogEventType } from './catalog-event.ts';
import type { CatalogEventLog } from './event-log.ts';

/** A configured receiver of events. */
export interface WebhookTarget {
  /** Stable id; deliveries are tracked under it across restarts. */
  readonly id: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The catalog whose events it receives. */
  readonly catalog: string;
  readonly types?: ReadonlySet<CatalogEventType>;
  readonly namePrefix?: string;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  /** Delay after the first failure; doubled per further failure up to maxDelayMs. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** How long one node may hold a delivery before another may retry it (a crash mid-POST). */
  readonly claimMs: number;
  /** How often to look for deliveries that other nodes wrote, or whose retry time came. */
  readonly pollMs: number;
  /** Time allowed for one POST. */
  readonly requestTimeoutMs: number;
}

export function webhookWants(target: WebhookTarget, event: Pick<CatalogEvent, 'catalog' | 'type' | 'name'>): boolean {
  if (target.catalog !== event.catalog) return false;
  if (target.types && !target.types.has(event.type)) return false;
  if (target.namePrefix && !event.name.startsWith(target.namePrefix)) return false;
  return true;
}

/**
 * Delivers the outbox (catalog_event_delivery) to webhooks: at least once, and in sequence order per
 * webhook — a webhook's next event waits until the one before it was delivered or given up on.
 * A failed POST (network error or non-2xx) is retried with exponential backoff; after maxAttempts the
 * delivery is marked failed and the queue moves on. Several server nodes may run dispatchers on one
 * database: a delivery is claimed (compare-and-swap on claimed_until) before it is sent.
 */
export class WebhookDispatcher {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private wokenWhileBusy = false;
  private loop: Promise<void> | undefined;
  private readonly unsubscribe: () => void;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly log: CatalogEventLog,
    private readonly targets: ReadonlyMap<string, WebhookTarget>,
    private readonly policy: RetryPolicy,
  ) {
    this.unsubscribe = log.onPublished(() => this.wake());
  }

  start(): void {
    if (this.running || this.targets.size === 0) return;
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.wokenWhileBusy = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe();
    for (const controller of this.inFlight) controller.abort();
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let nextDue = Date.now() + this.policy.pollMs;
      try {
        const results = await Promise.all([...this.targets.values()].map((target) => this.deliverNext(target)));
        for (const due of results) nextDue = Math.min(nextDue, due);
      } catch {
        // The database may be briefly unreachable; the next round retries.
      }
      if (!this.running) break;
      await this.sleep(Math.max(0, nextDue - Date.now()));
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.wokenWhileBusy) {
      this.wokenWhileBusy = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wakeUp = () => {
        clearTimeout(this.timer);
        this.wakeUp = undefined;
        resolve();
      };
      this.timer = setTimeout(() => this.wakeUp?.(), ms);
    });
  }

  /**
   * Tries the webhook's oldest pending delivery if it is due. Returns when this webhook next needs
   * attention (now, when there may be more to send at once).
   */
  private async deliverNext(target: WebhookTarget): Promise<number> {
    const now = Date.now();
    const head = await this.db
      .selectFrom('catalog_event_delivery')
      .selectAll()
      .where('webhook', '=', target.id)
      .where('status', '=', 'pending')
      .orderBy('event_seq')
      .limit(1)
      .executeTakeFirst();
    if (!head) return now + this.policy.pollMs;
    if (head.next_attempt_at > now) return head.next_attempt_at;
    if (head.claimed_until !== null && head.claimed_until > now) return head.claimed_until;

    const claim = await this.db
      .updateTable('catalog_event_delivery')
      .set({ claimed_until: now + this.policy.claimMs })
      .where('webhook', '=', head.webhook)
      .where('event_seq', '=', head.event_seq)
      .where('status', '=', 'pending')
      .where((eb) => (head.claimed_until === null ? eb('claimed_until', 'is', null) : eb('claimed_until', '=', head.claimed_until)))
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) return now; // another node took it

    const event = await this.log.read(head.event_seq);
    const error = event ? await this.post(target, event) : undefined;
    const attempts = head.attempts + 1;
    if (error === undefined) {
      await this.finish(head, { status: 'delivered', attempts, delivered_at: Date.now(), last_error: null });
      return Date.now();
    }
    if (attempts >= this.policy.maxAttempts) {
      await this.finish(head, { status: 'failed', attempts, last_error: error });
      return Date.now();
    }
    const delay = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** (attempts - 1));
    const retryAt = Date.now() + delay;
    await this.finish(head, { status: 'pending', attempts, last_error: error, next_attempt_at: retryAt });
    return retryAt;
  }

  private async finish(
    head: { webhook: string; event_seq: number },
    change: { status: 'pending' | 'delivered' | 'failed'; attempts: number; last_error: string | null; delivered_at?: number; next_attempt_at?: number },
  ): Promise<void> {
    await this.db
      .updateTable('catalog_event_delivery')
      .set({ ...change, claimed_until: null })
      .where('webhook', '=', head.webhook)
      .where('event_seq', '=', head.event_seq)
      .execute();
  }

  /** POSTs the event; returns undefined on a 2xx answer, else what went wrong. */
  private async post(target: WebhookTarget, event: CatalogEvent): Promise<string | undefined> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.policy.requestTimeoutMs);
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          ...target.headers,
          'content-type': 'application/json',
          'x-quarry-event-id': event.id,
          'x-quarry-event-type': event.type,
          'x-quarry-event-seq': String(event.seq),
        },
        body: JSON.stringify(event),
        signal: controller.signal,
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return cause ?? (error as Error).message;
    } finally {
      clearTimeout(timeout);
      this.inFlight.delete(controller);
    }
  }
}
