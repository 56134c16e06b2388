import type { DuckDbSession } from '../table/duckdb-session.ts';
import type { ReadableArea } from './readable-area.ts';

/**
 * DuckDB sessions already restricted to a readable area, kept idle for the next query over exactly
 * the same area. A DuckDB that has read a table keeps what makes a second read cheap (its threads
 * started, the Parquet bytes in its external file cache); a fresh one per query paid that again
 * every time, which was most of the gap between a full scan through Quarry and DuckDB reading the
 * files itself (bench/RESULTS.md).
 *
 * Contract: a session is handed to one query at a time (take removes it); only a session whose
 * query ended normally comes back (give), with nothing of that query left on it (its views
 * dropped). The key is the whole area, so a session never serves a query that may read less than
 * the query it was restricted for: no query can reach a file its own plan did not allow. At most
 * `capacity` sessions stay idle; the least recently given goes first, and each idle session may
 * hold up to its memory limit of cached file bytes until it is closed.
 */
export class SessionPool {
  private readonly idle = new Map<string, DuckDbSession[]>();
  private count = 0;

  constructor(private readonly capacity: number) {}

  /** The pool key of an area: the same files and folders in any order are the same area. */
  static keyOf(area: ReadableArea): string {
    return JSON.stringify([[...area.directories].sort(), [...area.paths].sort()]);
  }

  /** An idle session restricted to exactly this area, or undefined (the caller opens one). */
  take(key: string): DuckDbSession | undefined {
    const sessions = this.idle.get(key);
    const session = sessions?.pop();
    if (!session) return undefined;
    if (sessions!.length === 0) this.idle.delete(key);
    this.count--;
    return session;
  }

  /** Keeps a session for the next query over its area, closing the oldest idle one past capacity. */
  give(key: string, session: DuckDbSession): void {
    if (this.capacity <= 0) {
      session.close();
      return;
    }
    // Re-inserting the key moves it to the end of the map's order: most recently given last.
    const sessions = this.idle.get(key) ?? [];
    this.idle.delete(key);
    this.idle.set(key, [...sessions, session]);
    this.count++;
    while (this.count > this.capacity) {
      const [oldestKey, oldest] = this.idle.entries().next().value as [string, DuckDbSession[]];
      oldest.shift()!.close();
      this.count--;
      if (oldest.length === 0) this.idle.delete(oldestKey);
    }
  }

  /** Sessions idle now (for tests and metrics). */
  size(): number {
    return this.count;
  }

  /** Closes every idle session. */
  close(): void {
    for (const sessions of this.idle.values()) for (const session of sessions) session.close();
    this.idle.clear();
    this.count = 0;
  }
}
