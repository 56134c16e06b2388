import { retryingNetworkErrors, type DemoClient } from './demo-client.ts';

/** Where a batch of lines goes and how fast lines may leave. */
export interface FeedTarget {
  stream: string;
  /** NDJSON lines, sent in order. */
  lines: readonly string[];
}

/** Counts of what the collector answered. */
export interface FeedCounts {
  accepted: number;
  rejected: number;
}

/**
 * Sends events through the collector (POST /api/pipeline/v1/streams/{name}/events, NDJSON) at a
 * steady rate: one batch per tick, each batch at most `eventsPerSecond × tick` lines, with an
 * Idempotency-Key so a batch resent after a 503 counts once. A 503 (the log is full or away) waits
 * the server's Retry-After and resends the same batch.
 */
export class EventFeeder {
  private readonly counts = new Map<string, FeedCounts>();
  /** Batches sent by this feeder: each batch's Idempotency-Key is unique across calls of send. */
  private batches = 0;

  constructor(
    private readonly client: DemoClient,
    private readonly eventsPerSecond: number,
    private readonly keyPrefix: string,
    private readonly tickMs = 250,
  ) {}

  /** What the collector accepted and rejected per stream so far. */
  total(stream: string): FeedCounts {
    return this.counts.get(stream) ?? { accepted: 0, rejected: 0 };
  }

  /** Sends every line of every target, interleaving streams tick by tick, until all are sent or `signal` aborts. */
  async send(targets: readonly FeedTarget[], signal?: AbortSignal): Promise<void> {
    const perTick = Math.max(1, Math.round((this.eventsPerSecond * this.tickMs) / 1000));
    const offsets = targets.map(() => 0);
    while (!signal?.aborted && offsets.some((o, i) => o < targets[i]!.lines.length)) {
      const tickStart = Date.now();
      // The tick's budget is shared by the streams in proportion to what each has left.
      const left = targets.map((t, i) => t.lines.length - offsets[i]!);
      const remaining = left.reduce((a, b) => a + b, 0);
      for (const [i, target] of targets.entries()) {
        const take = Math.min(left[i]!, Math.max(left[i]! > 0 ? 1 : 0, Math.round((perTick * left[i]!) / remaining)));
        if (take === 0) continue;
        await this.post(target.stream, target.lines.slice(offsets[i], offsets[i]! + take), `${this.keyPrefix}-${target.stream}-${this.batches++}`, signal);
        offsets[i]! += take;
      }
      const wait = this.tickMs - (Date.now() - tickStart);
      if (wait > 0) await sleep(wait, signal);
    }
  }

  private async post(stream: string, lines: readonly string[], key: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      // The Idempotency-Key makes a batch count once, so one whose answer was lost may be sent again.
      const response = await retryingNetworkErrors(
        () =>
          fetch(new URL(`/api/pipeline/v1/streams/${stream}/events`, this.client.url), {
            method: 'POST',
            headers: this.client.headers({ 'content-type': 'application/x-ndjson', 'idempotency-key': key }),
            body: `${lines.join('\n')}\n`,
            signal,
          }),
        signal,
      );
      const text = await response.text();
      if (response.status === 503) {
        await sleep(1000 * Math.min(30, Number(response.headers.get('retry-after') ?? 1) || 1), signal);
        continue;
      }
      if (!response.ok) throw new Error(`the collector answered ${response.status} for a batch of ${stream}: ${text.slice(0, 300)}`);
      const { accepted, rejected } = JSON.parse(text) as FeedCounts;
      const counts = this.total(stream);
      this.counts.set(stream, { accepted: counts.accepted + accepted, rejected: counts.rejected + rejected });
      return;
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
