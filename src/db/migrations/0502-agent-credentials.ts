import type { Kysely, Migration } from 'kysely';

/**
 * The credential each agent id is bound to (src/auth/agent-credentials.ts). The agent id is the key,
 * so two registrations racing for one id cannot both bind it.
 */
export const migration0502AgentCredentials: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('auth_agent_credential')
      .addColumn('agent_id', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('created', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('auth_agent_credential').execute();
  },
};
