import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import type { LocationGuard } from '../table/file-io.ts';
import { parseLocation } from '../table/object-location.ts';

/**
 * A location outside every allowed root. 400 on every API: the request names a place no caller may
 * use, which is a property of the request, not of who sent it (so not 403).
 */
export class LocationNotAllowedError extends InvalidInputError {
  constructor(location: string, field: string, roots: readonly string[], why = 'is outside the locations this warehouse may use') {
    super(
      `${field} ${JSON.stringify(location)} ${why}; allowed are locations under ${roots.map((r) => JSON.stringify(r)).join(', ')} ` +
        '(the warehouse root, plus the roots listed in warehouseAllowedLocations or QUARRY_WAREHOUSE_ALLOWED_LOCATIONS)',
      field,
      { location, allowedLocations: [...roots] },
    );
  }
}

/** A location reduced to what decides where it lands: its store and its path segments. */
interface Place {
  /** `file` for the local file system, else `s3://bucket`. */
  readonly store: string;
  /** Path segments exactly as written, empty ones dropped (`a//b` and `a/b/` are `a/b`). */
  readonly raw: readonly string[];
  /** The same path percent-decoded, for readers that decode (`%2e%2e` is `..` to them). */
  readonly decoded: readonly string[];
}

// Table properties that move where a table's files go (Iceberg's TableProperties); each is a
// location a client can set by a commit, so each is held to the same rule as the table location.
const LOCATION_PROPERTIES = ['write.data.path', 'write.metadata.path', 'write.object-storage.path', 'write.folder-storage.path'] as const;

/**
 * The warehouse's allowed-locations rule: a location may be read or written only when it lies under
 * the warehouse root or one of the configured extra roots. Locations are compared after reduction to
 * store and path segments, so spelling does not matter (`file:/p`, `file:///p`, `file://localhost/p`
 * and `/p` are one place; `s3a://b/k` is `s3://b/k`; `//`, `.` segments and trailing slashes vanish).
 * A `..` segment is refused outright, as is one that decodes to `..` or `.`, and both the written and
 * the percent-decoded path must be under a root: the file IO reads the characters as written, but
 * other engines reading the same metadata may decode them. A root is a whole segment prefix: root
 * `/wh` does not allow `/wh-evil`. For `file:` locations `check` then resolves symbolic links, so a
 * link inside the warehouse pointing out of it does not make a way out.
 */
export class AllowedLocations implements LocationGuard {
  private readonly places: readonly Place[];

  /** `roots` are URIs or absolute paths; the first is the warehouse root. */
  constructor(readonly roots: readonly string[]) {
    this.places = roots.map((root) => {
      const place = placeOf(root);
      if (!place) throw new InvalidInputError(`Allowed location ${JSON.stringify(root)} must be file:///path or s3://bucket[/prefix] without '..' segments`, 'warehouseAllowedLocations');
      return place;
    });
  }

  /** Whether `location` is under a root by its text alone (no file system access). */
  allows(location: string): boolean {
    return this.why(location) === undefined;
  }

  /** Throws LocationNotAllowedError naming `field` unless `location` is under a root by its text. */
  checkText(location: string, field: string): string {
    const why = this.why(location);
    if (why !== undefined) throw new LocationNotAllowedError(location, field, this.roots, why);
    return location;
  }

  /**
   * The full rule: `checkText`, then for a `file:` location the real path (symbolic links resolved
   * through its longest existing ancestor) must be under the real path of a `file:` root.
   */
  async check(location: string, field = 'location'): Promise<void> {
    this.checkText(location, field);
    const place = placeOf(location)!;
    if (place.store !== 'file') return;
    const real = await realPathOf(place.raw);
    for (const root of this.places) {
      if (root.store !== 'file') continue;
      if (isUnder(splitPath(await realPathOf(root.raw)), splitPath(real))) return;
    }
    throw new LocationNotAllowedError(location, field, this.roots, `is outside the locations this warehouse may use (through a symbolic link it is ${real})`);
  }

  /**
   * Checks the locations a table's metadata names: its `location` and the properties that redirect
   * its data or metadata files. `field` prefixes the names in the error (`metadata-location` …).
   */
  async checkTable(metadata: { location: string; properties: Readonly<Record<string, string>> }, field = 'location'): Promise<void> {
    await this.check(metadata.location, field);
    // A table at a root itself would own the whole root: dropping it with purge deletes every file there.
    const place = placeOf(metadata.location)!;
    if (this.places.some((root) => root.store === place.store && root.raw.length === place.raw.length && isUnder(root.raw, place.raw))) {
      throw new LocationNotAllowedError(metadata.location, field, this.roots, 'is an allowed root itself, and a table needs a folder of its own below one');
    }
    for (const key of LOCATION_PROPERTIES) {
      const value = metadata.properties[key];
      if (value !== undefined) await this.check(value, `properties.${key}`);
    }
  }

  /** Undefined when allowed, else why not (the error message's predicate). */
  private why(location: string): string | undefined {
    const place = placeOf(location);
    if (!place) return 'is outside the locations this warehouse may use (it is not a file:/, file:///, s3://, s3a:// or s3n:// location, or has a . or .. segment, or one that decodes to it)';
    for (const root of this.places) {
      if (root.store === place.store && isUnder(root.raw, place.raw) && isUnder(root.decoded, place.decoded)) return undefined;
    }
    return 'is outside the locations this warehouse may use';
  }
}

/** The roots of a configuration: the warehouse first, then the extra ones in their order. */
export function allowedLocationsOf(warehouse: string, extra: readonly string[] = []): AllowedLocations {
  return new AllowedLocations([warehouse.replace(/\/+$/, ''), ...extra.map((root) => root.replace(/\/+$/, ''))]);
}

function placeOf(location: string): Place | undefined {
  let parsed;
  try {
    parsed = parseLocation(location);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(parsed.key)) return undefined;
  const raw = parsed.key.split('/').filter((s) => s !== '');
  const decoded = percentDecode(parsed.key).split('/').filter((s) => s !== '');
  if ([...raw, ...decoded].some((s) => s === '.' || s === '..' || s.includes('\\'))) return undefined;
  return { store: parsed.root === 'file:///' ? 'file' : parsed.root, raw, decoded };
}

/** Decodes every well-formed `%XX` (as bytes, then UTF-8); a stray `%` stays as written. */
function percentDecode(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function isUnder(root: readonly string[], segments: readonly string[]): boolean {
  return root.length <= segments.length && root.every((s, i) => s === segments[i]);
}

function splitPath(p: string): string[] {
  return p.split(path.sep).filter((s) => s !== '');
}

/** The real path of `/segments…`: the longest existing ancestor resolved, the rest appended as written. */
async function realPathOf(segments: readonly string[]): Promise<string> {
  for (let n = segments.length; n >= 0; n--) {
    try {
      const real = await realpath('/' + segments.slice(0, n).join('/'));
      return path.join(real, ...segments.slice(n));
    } catch {
      // Not there (or not a folder): try its parent.
    }
  }
  return '/' + segments.join('/');
}
