import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Secrets the server issues are 256 random bits, so a plain SHA-256 is a safe way to store them:
 * there is nothing to brute-force, and a lookup by hash needs no per-row salt. The database only
 * ever holds the hash.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A new secret: a recognisable prefix (so a leaked one can be found by scanners) and 256 random bits. */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** Compares two secrets in constant time, whatever their lengths. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
