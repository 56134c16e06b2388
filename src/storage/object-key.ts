import { InvalidInputError } from '../errors/invalid-input-error.ts';

/**
 * Checks an object key: `/`-separated, relative, without `.`/`..` segments, empty segments,
 * backslashes or control characters. The same rule on every backend keeps a key that works on S3
 * from escaping the root folder of the local store.
 */
export function checkObjectKey(key: string): string {
  if (key.length === 0 || key.length > 1024) throw new InvalidInputError(`Object key must be 1 to 1024 characters (got ${key.length})`, 'key');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(key)) throw new InvalidInputError(`Object key ${JSON.stringify(key)} contains a control character or backslash`, 'key');
  if (key.startsWith('/')) throw new InvalidInputError(`Object key ${JSON.stringify(key)} must be relative (no leading /)`, 'key');
  for (const segment of key.split('/').slice(0, key.endsWith('/') ? -1 : undefined)) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw new InvalidInputError(`Object key ${JSON.stringify(key)} has an empty, '.' or '..' segment`, 'key');
    }
  }
  return key;
}

/** Checks a list prefix: empty, or a key prefix under the same rules. */
export function checkObjectPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  return checkObjectKey(prefix);
}
