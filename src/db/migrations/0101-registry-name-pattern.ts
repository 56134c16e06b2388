import { PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';

const TABLES = ['registry_application', 'registry_cluster', 'registry_command'] as const;

/**
 * Name searches with `%` wildcards (`name=spark%`) are LIKE queries. SQLite answers a prefix LIKE from
 * the plain name index (Quarry runs it with case-sensitive LIKE); PostgreSQL cannot use an index in a
 * non-C collation for LIKE and scanned the whole table, so it gets an index with text_pattern_ops,
 * whose order is byte order and fits prefix ranges.
 */
export const registry0101NamePattern: Migration = {
  async up(db: Kysely<unknown>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    for (const table of TABLES) {
      await db.schema.createIndex(`${table}_name_pattern`).on(table).expression(sql`name text_pattern_ops`).execute();
    }
  },
  async down(db: Kysely<unknown>) {
    if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
    for (const table of TABLES) await db.schema.dropIndex(`${table}_name_pattern`).execute();
  },
};
