/**
 * The places where SQLite and PostgreSQL differ in ways callers can observe. Everything else is
 * plain Kysely and runs unchanged on both; code outside src/db never asks which database it has.
 */
export interface DialectAdapter {
  readonly kind: 'sqlite' | 'postgres';
  /** A unique or primary-key constraint rejected the write. */
  isUniqueViolation(error: unknown): boolean;
  /** A foreign-key constraint rejected the write. */
  isForeignKeyViolation(error: unknown): boolean;
  /** A serialization failure or lock timeout: the transaction may succeed if retried. */
  isRetryableConflict(error: unknown): boolean;
}
