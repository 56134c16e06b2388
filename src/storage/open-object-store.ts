import type { S3Config } from '../config/config.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';
import { FsObjectStore } from './fs-object-store.ts';
import type { ObjectStore } from './object-store.ts';

/** Opens the store rooted at a `file://` or `s3://` URI. */
export function openObjectStore(rootUri: string, _s3: S3Config): ObjectStore {
  if (rootUri.startsWith('file://')) return new FsObjectStore(rootUri);
  if (rootUri.startsWith('s3://')) throw new InvalidInputError(`S3 object stores are not available in this build (${rootUri})`, 'uri');
  throw new InvalidInputError(`Unsupported object store URI ${JSON.stringify(rootUri)}: use file:// or s3://`, 'uri');
}
