/** What a sink worker reports about a stream whose rounds fail: once when it starts, once when it ends. */
export type SinkOutageEvent =
  | { kind: 'started'; stream: string; error: unknown }
  | { kind: 'recovered'; stream: string; failures: number; durationMs: number; lastError: unknown };

/**
 * Turns a stream's run of failed sink rounds (a broker or database outage retries every poll) into
 * two events: the first failure, and the first success after it with how many rounds failed and for
 * how long. A log of every retry would bury everything else for as long as the outage lasts.
 */
export class SinkOutages {
  private readonly open = new Map<string, { since: number; failures: number; lastError: unknown }>();

  constructor(private readonly report: (event: SinkOutageEvent) => void) {}

  failed(stream: string, error: unknown): void {
    const outage = this.open.get(stream);
    if (outage) {
      outage.failures++;
      outage.lastError = error;
      return;
    }
    this.open.set(stream, { since: Date.now(), failures: 1, lastError: error });
    this.report({ kind: 'started', stream, error });
  }

  succeeded(stream: string): void {
    const outage = this.open.get(stream);
    if (!outage) return;
    this.open.delete(stream);
    this.report({ kind: 'recovered', stream, failures: outage.failures, durationMs: Date.now() - outage.since, lastError: outage.lastError });
  }

  /** Streams with an outage in progress. */
  failing(): string[] {
    return [...this.open.keys()];
  }
}

/** One log line for an outage event. */
export function describeSinkOutage(event: SinkOutageEvent): string {
  const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
  if (event.kind === 'started') return `pipeline sink: stream ${event.stream}: failing, retrying every round until it works (logged again once it recovers): ${message(event.error)}`;
  return `pipeline sink: stream ${event.stream}: recovered after ${event.failures} failed round${event.failures === 1 ? '' : 's'} over ${(event.durationMs / 1000).toFixed(1)} s (last error: ${message(event.lastError)})`;
}
