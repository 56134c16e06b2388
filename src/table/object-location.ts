import { InvalidInputError } from '../errors/invalid-input-error.ts';

/** A recorded location split into the root of the store that holds it and the key inside that store. */
export interface ObjectLocation {
  /** `file:///` for the local file system, `s3://bucket` for a bucket. */
  readonly root: string;
  /** The rest of the location, exactly as recorded (never URL-decoded). */
  readonly key: string;
}

const S3_SCHEMES = /^s3[an]?:\/\/([^/]+)\/(.+)$/s;

/**
 * Splits a location as the Iceberg spec and Hadoop paths write them: `file:/p` (Hadoop's form, which
 * Spark records), `file:///p`, `file://localhost/p`, a bare absolute path, and `s3://`, `s3a://` or
 * `s3n://bucket/key`. A location is an opaque string, as Iceberg Java and PyIceberg treat it: the
 * object lives at exactly the characters recorded, so `p=%C3%9Cn` names a folder spelled with a
 * percent sign, not `p=Ün`. Decoding here would make Quarry miss files other engines wrote and write
 * files where other engines never look.
 */
export function parseLocation(location: string): ObjectLocation {
  let path: string | undefined;
  if (location.startsWith('/')) path = location;
  else if (location.startsWith('file:')) {
    const rest = location.slice('file:'.length);
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      const host = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
      if (slash >= 0 && (host === '' || host.toLowerCase() === 'localhost')) path = rest.slice(slash);
    } else if (rest.startsWith('/')) path = rest;
  }
  if (path !== undefined) {
    const key = path.replace(/^\/+/, '');
    if (key !== '') return { root: 'file:///', key };
  }
  const s3 = S3_SCHEMES.exec(location);
  if (s3) return { root: `s3://${s3[1]}`, key: s3[2]! };
  throw new InvalidInputError(
    `Unsupported file location ${JSON.stringify(location)}: expected file:/path, file:///path, s3://bucket/key (or s3a://, s3n://)`,
    'location',
  );
}

/** The local file a `file:` location names (the location's own characters, undecoded). */
export function localFileOf(location: string): string | undefined {
  const { root, key } = parseLocation(location);
  return root === 'file:///' ? `/${key}` : undefined;
}
