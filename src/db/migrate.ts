import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import { migrations } from './migrations/index.ts';

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Brings the schema up to date. Safe to run from several server nodes at once: Kysely takes a lock
 * table row (PostgreSQL) or the database write lock (SQLite) for the duration.
 */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  // Each area numbers its migrations in its own range (01xx registry, 02xx jobs, 03xx tables, …), so
  // a database made before an area's new migration has already run higher-numbered ones: pending
  // migrations run in name order without requiring that they sort after every executed one.
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'quarry_migration',
    migrationLockTableName: 'quarry_migration_lock',
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${cause}`.replace('  ', ' '));
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
