import { gunzipSync, gzipSync } from 'node:zlib';
import type { FileIO } from './file-io.ts';
import { metadataToJson, type TableMetadata } from './table-metadata.ts';

/**
 * How a metadata file is stored, as Iceberg Java's TableMetadataParser does it: the table property
 * `write.metadata.compression-codec` (`none` or `gzip`) picks the codec for new files, and the file's
 * name says which one it has (`.gz.metadata.json`, or `.metadata.json.gz` as older writers named it),
 * so readers decompress by name. Spark users set gzip; PyIceberg reads it the same way.
 */
export function metadataFileSuffix(metadata: TableMetadata): string {
  const codec = (metadata.properties['write.metadata.compression-codec'] ?? 'none').toLowerCase();
  return codec === 'gzip' ? '.gz.metadata.json' : '.metadata.json';
}

function gzipped(location: string): boolean {
  return location.endsWith('.gz.metadata.json') || location.endsWith('.metadata.json.gz');
}

/** The bytes to store at `location` for `metadata`. */
export function encodeMetadataFile(location: string, metadata: TableMetadata): string | Uint8Array {
  const json = metadataToJson(metadata);
  return gzipped(location) ? gzipSync(json) : json;
}

/** The JSON text of the metadata file read from `location`; gzip is also recognised by its magic bytes. */
export function decodeMetadataFile(location: string, bytes: Uint8Array): string {
  const compressed = gzipped(location) || (bytes[0] === 0x1f && bytes[1] === 0x8b);
  return Buffer.from(compressed ? gunzipSync(bytes) : bytes).toString('utf8');
}

/**
 * With `write.metadata.delete-after-commit.enabled=true`, deletes the metadata files that fell out of
 * the metadata log with this commit, as Iceberg Java does after a successful commit. Best effort: a
 * file left behind is garbage, never a broken table.
 */
export async function deleteRemovedMetadataFiles(io: FileIO, base: TableMetadata, next: TableMetadata): Promise<void> {
  if ((next.properties['write.metadata.delete-after-commit.enabled'] ?? 'false').toLowerCase() !== 'true') return;
  const kept = new Set(next.metadataLog.map((e) => e.metadataFile));
  const removed = base.metadataLog.map((e) => e.metadataFile).filter((f) => !kept.has(f));
  await Promise.all(removed.map((f) => io.delete(f).catch(() => undefined)));
}
