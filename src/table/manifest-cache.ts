import type { ManifestEntry, ManifestFile } from './data-file.ts';
import type { FileIO } from './file-io.ts';
import { readManifest } from './manifest-io.ts';
import type { PartitionSpec } from './partition-spec.ts';
import type { Schema } from './schema.ts';

/** How a scan gets a manifest's entries: `readManifest`, or a cache in front of it. */
export type ManifestReader = (io: FileIO, manifest: ManifestFile, spec: PartitionSpec, schema: Schema) => Promise<readonly ManifestEntry[]>;

/** Entries held across all manifests: about a kilobyte each, so the default keeps ~50 MB. */
const DEFAULT_CAPACITY_ENTRIES = 50_000;

/**
 * Decoded manifest entries by manifest location, for scans that plan the same tables again and
 * again (the query engine). Manifests are immutable (a commit writes new ones under new names), so
 * a decoded manifest stays true; entries are decoded for a partition spec and schema, which are part
 * of the key. The least recently used manifests go first once `capacityEntries` are held. Callers
 * must not change the entries they get: they are shared.
 */
export class ManifestCache {
  private readonly manifests = new Map<string, readonly ManifestEntry[]>();
  private held = 0;

  constructor(private readonly capacityEntries = DEFAULT_CAPACITY_ENTRIES) {}

  readonly read: ManifestReader = async (io, manifest, spec, schema) => {
    const key = `${manifest.manifestPath}\u0000${spec.specId}\u0000${schema.schemaId}`;
    const cached = this.manifests.get(key);
    if (cached) {
      this.manifests.delete(key);
      this.manifests.set(key, cached);
      return cached;
    }
    const entries = await readManifest(io, manifest, spec, schema);
    if (entries.length <= this.capacityEntries) {
      // Two scans may have decoded the same manifest at once: keep one copy, counted once.
      this.held -= this.manifests.get(key)?.length ?? 0;
      this.manifests.set(key, entries);
      this.held += entries.length;
      for (const [oldest, old] of this.manifests) {
        if (this.held <= this.capacityEntries) break;
        this.manifests.delete(oldest);
        this.held -= old.length;
      }
    }
    return entries;
  };

  /** Manifests and entries held now (for tests and metrics). */
  size(): { manifests: number; entries: number } {
    return { manifests: this.manifests.size, entries: this.held };
  }
}
