/** The week the demo's data covers: the seven whole UTC days before today, so every event is in the past. */
export interface DemoWeek {
  /** Midnight UTC of the first day, epoch milliseconds. */
  startMs: number;
  /** Midnight UTC of today: the week's end (exclusive). */
  endMs: number;
  /** The seven days as YYYYMMDD (snapshot partitions) and YYYY-MM-DD. */
  days: { dateint: string; iso: string; startMs: number }[];
}

const DAY_MS = 86_400_000;

export function demoWeek(now: Date = new Date()): DemoWeek {
  const endMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const startMs = endMs - 7 * DAY_MS;
  const days = Array.from({ length: 7 }, (_, i) => {
    const iso = new Date(startMs + i * DAY_MS).toISOString().slice(0, 10);
    return { dateint: iso.replaceAll('-', ''), iso, startMs: startMs + i * DAY_MS };
  });
  return { startMs, endMs, days };
}

export { DAY_MS };
