import { S3Client } from '@aws-sdk/client-s3';
import type { S3Config } from '../config/config.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { FsObjectStore } from './fs-object-store.ts';
import type { ObjectStore } from './object-store.ts';
import { S3ObjectStore } from './s3-object-store.ts';

// One S3 client per endpoint and credentials: a client holds a connection pool, so creating one per
// call would cost a TLS/TCP handshake each time and leak sockets.
const s3Clients = new Map<string, S3Client>();

/**
 * Opens the store rooted at a `file://` or `s3://bucket[/prefix]` URI. Cheap to call repeatedly: S3
 * clients are shared per endpoint, and stores themselves hold no resources.
 */
export function openObjectStore(rootUri: string, s3: S3Config): ObjectStore {
  if (rootUri.startsWith('file://')) return new FsObjectStore(rootUri);
  if (rootUri.startsWith('s3://')) {
    const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(rootUri);
    if (!match || !match[1]) throw new InvalidInputError(`S3 URI ${JSON.stringify(rootUri)} must be s3://bucket[/prefix]`, 'uri');
    return new S3ObjectStore(s3ClientFor(s3), match[1], match[2] ?? '', { partSizeBytes: s3.partSizeBytes });
  }
  throw new InvalidInputError(`Unsupported object store URI ${JSON.stringify(rootUri)}: use file:// or s3://`, 'uri');
}

/** The shared S3 client for a configuration. */
export function s3ClientFor(s3: S3Config): S3Client {
  const cacheKey = JSON.stringify([s3.endpoint ?? '', s3.region, s3.accessKeyId ?? '', s3.secretAccessKey ?? '', s3.forcePathStyle]);
  let client = s3Clients.get(cacheKey);
  if (!client) {
    client = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: s3.forcePathStyle,
      credentials: s3.accessKeyId && s3.secretAccessKey ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
      // Recent SDKs add CRC32 checksums to every request by default; S3-compatible servers do not all
      // accept them, and the payloads here are verified by their own formats (Parquet, Avro, JSON).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    s3Clients.set(cacheKey, client);
  }
  return client;
}
