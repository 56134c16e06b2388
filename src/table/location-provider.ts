import { murmur3x86_32 } from './murmur3.ts';
import type { TableMetadata } from './table-metadata.ts';

/**
 * Where a table's new data files go, decided as Iceberg Java's LocationProviders decides it (PyIceberg's
 * locations.py follows it), so a folder holds the same layout whichever engine wrote into it:
 * - by default `<data>/<partition path>/<file>`, `<data>` being `write.data.path` or `<location>/data`;
 * - with `write.object-storage.enabled=true`, 20 bits of Murmur3 over the file's relative path spread
 *   files over prefixes (`<data>/0110/1011/0001/01101001/<partition path>/<file>`), as object stores that
 *   shard by key prefix need; `write.object-storage.partitioned-paths=false` drops the partition folders
 *   (`<data>/0110/1011/0001/01101001-<file>`).
 * The deprecated `write.object-storage.path` and `write.folder-storage.path` are not read: Iceberg Java
 * refuses them now and PyIceberg never read them.
 */
export class LocationProvider {
  private readonly tableLocation: string;
  private readonly dataLocation: string;
  private readonly objectStore: boolean;
  private readonly partitionedPaths: boolean;
  /** `<parent>/<table>` folder names, put after the hash when the data folder is outside the table's location. */
  private readonly context: string | undefined;

  constructor(location: string, properties: Readonly<Record<string, string>>) {
    this.tableLocation = stripTrailingSlashes(location);
    this.dataLocation = stripTrailingSlashes(properties['write.data.path'] ?? `${this.tableLocation}/data`);
    this.objectStore = javaBoolean(properties['write.object-storage.enabled'], false);
    this.partitionedPaths = javaBoolean(properties['write.object-storage.partitioned-paths'], true);
    this.context = this.dataLocation.startsWith(this.tableLocation) ? undefined : pathContext(this.tableLocation);
  }

  static of(metadata: TableMetadata): LocationProvider {
    return new LocationProvider(metadata.location, metadata.properties);
  }

  /** The location of a new data file named `fileName`; `partitionPath` is `''` for an unpartitioned file. */
  newDataLocation(fileName: string, partitionPath: string): string {
    if (!this.objectStore) return partitionPath === '' ? `${this.dataLocation}/${fileName}` : `${this.dataLocation}/${partitionPath}/${fileName}`;
    const name = this.partitionedPaths && partitionPath !== '' ? `${partitionPath}/${fileName}` : fileName;
    const hash = entropyDirs(name);
    if (this.context !== undefined) return `${this.dataLocation}/${hash}/${this.context}/${name}`;
    return this.partitionedPaths ? `${this.dataLocation}/${hash}/${name}` : `${this.dataLocation}/${hash}-${name}`;
  }
}

/** The low 20 bits of the name's Murmur3 as binary digits, in folders of 4, 4, 4 and 8 digits. */
export function entropyDirs(name: string): string {
  const bits = ((murmur3x86_32(Buffer.from(name, 'utf8')) | 0x80000000) >>> 0).toString(2).slice(-20);
  return `${bits.slice(0, 4)}/${bits.slice(4, 8)}/${bits.slice(8, 12)}/${bits.slice(12)}`;
}

/** Java's `Boolean.parseBoolean`: "true" in any case is true, anything else false; absent is the default. */
function javaBoolean(value: string | undefined, fallback: boolean): boolean {
  return value === undefined ? fallback : value.toLowerCase() === 'true';
}

function stripTrailingSlashes(location: string): string {
  let end = location.length;
  while (end > 0 && location[end - 1] === '/') end--;
  return location.slice(0, end);
}

/**
 * `<parent>/<name>` of the table's location (`db.db/events`), as Hadoop's Path names them: a table at
 * the root of a bucket has an empty parent name, so its context is `/<name>`.
 */
function pathContext(tableLocation: string): string {
  const path = tableLocation.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/, '');
  const names = path.split('/').filter((n) => n !== '');
  return `${names.length > 1 ? names[names.length - 2] : ''}/${names[names.length - 1] ?? ''}`;
}
