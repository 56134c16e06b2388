import { type Kysely, type Migration } from 'kysely';

const KINDS = ['application', 'cluster', 'command'] as const;

/**
 * The registry of applications, clusters and commands. Tags are rows indexed by (tag, resource) so
 * that "has all of these tags" is one grouped index scan; the default search order (updated desc)
 * and the name search have their own indexes. Status deliberately has none: with three values it
 * selects little, and planners that can use it prefer it over the tag index in criterion queries.
 */
export const registry0100: Migration = {
  async up(db: Kysely<unknown>) {
    for (const kind of KINDS) {
      const table = `registry_${kind}`;
      let create = db.schema
        .createTable(table)
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('user_name', 'text', (c) => c.notNull())
        .addColumn('version', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('metadata', 'text')
        .addColumn('setup_file', 'text')
        .addColumn('configs', 'text', (c) => c.notNull())
        .addColumn('dependencies', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created', 'bigint', (c) => c.notNull())
        .addColumn('updated', 'bigint', (c) => c.notNull())
        .addColumn('row_version', 'integer', (c) => c.notNull());
      if (kind === 'application') create = create.addColumn('type', 'text');
      if (kind === 'command') {
        create = create
          .addColumn('executable', 'text', (c) => c.notNull())
          .addColumn('runtime', 'text', (c) => c.notNull())
          .addColumn('cluster_criteria', 'text', (c) => c.notNull());
      }
      await create.execute();
      await db.schema.createIndex(`${table}_updated`).on(table).columns(['updated', 'id']).execute();
      await db.schema.createIndex(`${table}_name`).on(table).column('name').execute();

      await db.schema
        .createTable(`${table}_tag`)
        .addColumn('resource_id', 'text', (c) => c.notNull().references(`${table}.id`).onDelete('cascade'))
        .addColumn('tag', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_tag_pk`, ['resource_id', 'tag'])
        .execute();
      await db.schema.createIndex(`${table}_tag_by_tag`).on(`${table}_tag`).columns(['tag', 'resource_id']).execute();
    }

    // Deleting a command drops its links; deleting an application that a command still uses is refused
    // by the foreign key (the service reports which commands use it).
    await db.schema
      .createTable('registry_command_application')
      .addColumn('command_id', 'text', (c) => c.notNull().references('registry_command.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('application_id', 'text', (c) => c.notNull().references('registry_application.id'))
      .addPrimaryKeyConstraint('registry_command_application_pk', ['command_id', 'position'])
      .addUniqueConstraint('registry_command_application_unique', ['command_id', 'application_id'])
      .execute();
    await db.schema
      .createIndex('registry_command_application_by_app')
      .on('registry_command_application')
      .column('application_id')
      .execute();
  },

  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('registry_command_application').execute();
    for (const kind of [...KINDS].reverse()) {
      await db.schema.dropTable(`registry_${kind}_tag`).execute();
      await db.schema.dropTable(`registry_${kind}`).execute();
    }
  },
};
