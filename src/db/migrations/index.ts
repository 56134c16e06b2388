import type { Migration } from 'kysely';
import { registry0100 } from './0100-registry.ts';

/**
 * Every schema migration, in the order they run. Names sort in execution order; a migration never
 * changes once released — a later one alters what an earlier one made.
 */
export const migrations: Record<string, Migration> = {
  '0100_registry': registry0100,
};
