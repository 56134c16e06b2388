/** What a snapshot reports while it reads. */
export interface ProgressUpdate {
  readonly rows: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** The source's row-count estimate (catalog statistics), when it keeps one. */
  readonly rowEstimate?: number;
}

/** Where progress goes: a terminal line rewritten in place, or lines in a job's stderr. */
export interface ProgressSink {
  update(progress: ProgressUpdate): void;
  /** The last update has been made; a terminal line is ended. */
  done(): void;
}

/**
 * Progress on a stream: on a terminal one line rewritten in place, elsewhere (a job's stderr, a
 * log) a line at most every `intervalMs`, so a long snapshot's output stays short.
 */
export function streamProgress(label: string, stream: NodeJS.WriteStream | NodeJS.WritableStream, options: { intervalMs?: number; now?: () => number } = {}): ProgressSink {
  const tty = 'isTTY' in stream && stream.isTTY === true;
  const interval = options.intervalMs ?? (tty ? 200 : 5000);
  const now = options.now ?? Date.now;
  let last = -Infinity;
  let shown: ProgressUpdate | undefined;
  let latest: ProgressUpdate | undefined;
  const show = (progress: ProgressUpdate) => {
    const line = `${label}: ${describeProgress(progress)}`;
    stream.write(tty ? `\r${line}\u001b[K` : `${line}\n`);
    shown = progress;
  };
  return {
    update(progress) {
      latest = progress;
      if (now() - last < interval) return;
      last = now();
      show(progress);
    },
    done() {
      if (latest && latest !== shown) show(latest);
      if (tty && shown) stream.write('\n');
    },
  };
}

/** `12,000 of ~100,000 rows (12%), 3.1 MB, 8,000 rows/s, ~11 s left`. */
export function describeProgress(p: ProgressUpdate): string {
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? p.rows / seconds : 0;
  const parts = [p.rowEstimate && p.rowEstimate > 0 ? `${count(p.rows)} of ~${count(p.rowEstimate)} rows (${Math.min(100, Math.floor((100 * p.rows) / p.rowEstimate))}%)` : `${count(p.rows)} rows`];
  parts.push(megabytes(p.bytes));
  if (rate > 0) parts.push(`${count(Math.round(rate))} rows/s`);
  if (rate > 0 && p.rowEstimate && p.rowEstimate > p.rows) parts.push(`~${Math.ceil((p.rowEstimate - p.rows) / rate)} s left`);
  return parts.join(', ');
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
