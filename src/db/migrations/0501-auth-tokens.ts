import type { Kysely, Migration } from 'kysely';

/** API tokens for auth.mode tokens (src/auth/api-tokens.ts): looked up by the hash of the secret. */
export const migration0501AuthTokens: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('auth_token')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('admin', 'integer', (c) => c.notNull())
      .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('description', 'text')
      .addColumn('created', 'bigint', (c) => c.notNull())
      .addColumn('revoked', 'bigint')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('auth_token').execute();
  },
};
