interface Entry<T> {
  readonly partitions: Promise<readonly T[]>;
  /** Partitions held once the read settled; undefined while it is in flight. */
  weight?: number;
}

/**
 * The partitions of Iceberg snapshots, kept in memory by metadata location. A metadata file never
 * changes once written, so what its current snapshot's manifests say stays true for as long as it is
 * kept: a commit writes a new location, and the old entry just ages out. No invalidation is needed.
 *
 * Bounded by the number of partitions held (least recently used out first), because one table can
 * have a million partitions and the tables a catalog serves are many. A snapshot with more partitions
 * than the bound is read every time. Concurrent requests for one location share one read; a failed
 * read is not kept.
 */
export class SnapshotPartitionCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private held = 0;

  constructor(readonly maxPartitions: number) {}

  get(key: string, read: () => Promise<readonly T[]>): Promise<readonly T[]> {
    const hit = this.entries.get(key);
    if (hit) {
      // Map order is recency order: move the hit to the end.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.partitions;
    }
    const entry: Entry<T> = { partitions: read() };
    this.entries.set(key, entry);
    entry.partitions.then(
      (partitions) => this.settled(key, entry, partitions.length),
      () => this.forget(key, entry),
    );
    return entry.partitions;
  }

  /** Partitions held now, for metrics and tests. */
  get size(): number {
    return this.held;
  }

  private settled(key: string, entry: Entry<T>, count: number): void {
    if (this.entries.get(key) !== entry) return;
    if (count > this.maxPartitions) {
      this.entries.delete(key);
      return;
    }
    // An unpartitioned table's empty list still occupies an entry, so it weighs one.
    entry.weight = Math.max(1, count);
    this.held += entry.weight;
    for (const [oldKey, old] of this.entries) {
      if (this.held <= this.maxPartitions) break;
      if (old.weight === undefined) continue;
      this.entries.delete(oldKey);
      this.held -= old.weight;
    }
  }

  private forget(key: string, entry: Entry<T>): void {
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }
}
