import type { DialectAdapter } from './dialect-adapter.ts';

function code(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

export const sqliteAdapter: DialectAdapter = {
  kind: 'sqlite',
  isUniqueViolation: (error) => code(error) === 'SQLITE_CONSTRAINT_UNIQUE' || code(error) === 'SQLITE_CONSTRAINT_PRIMARYKEY',
  isForeignKeyViolation: (error) => code(error) === 'SQLITE_CONSTRAINT_FOREIGNKEY',
  isRetryableConflict: (error) => code(error) === 'SQLITE_BUSY' || code(error) === 'SQLITE_LOCKED',
};
