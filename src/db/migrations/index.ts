import type { Migration } from 'kysely';
import { catalogMigration0401 } from './0401-catalog.ts';

/**
 * Every schema migration, in the order they run. Names sort in execution order; a migration never
 * changes once released — a later one alters what an earlier one made.
 */
export const migrations: Record<string, Migration> = {
  '0401_catalog': catalogMigration0401,
};
