import type { DialectAdapter } from './dialect-adapter.ts';

function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

export const postgresAdapter: DialectAdapter = {
  kind: 'postgres',
  isUniqueViolation: (error) => sqlState(error) === '23505',
  isForeignKeyViolation: (error) => sqlState(error) === '23503',
  // 40001 serialization_failure, 40P01 deadlock_detected, 55P03 lock_not_available
  isRetryableConflict: (error) => ['40001', '40P01', '55P03'].includes(sqlState(error) ?? ''),
};
