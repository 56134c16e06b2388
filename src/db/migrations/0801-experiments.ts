import type { Kysely, Migration } from 'kysely';

/**
 * A/B experiments: their declarations, each computed report as JSON (numbered per experiment), and
 * the report's results one row per (metric, cell), so results can be compared across reports in SQL.
 */
export const migration0801Experiments: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('experiment')
      .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('experiment_report')
      .addColumn('experiment', 'varchar(255)', (c) => c.notNull().references('experiment.name').onDelete('cascade'))
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('computed_at', 'bigint', (c) => c.notNull())
      .addColumn('report', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('experiment_report_pk', ['experiment', 'number'])
      .execute();
    await db.schema
      .createTable('experiment_result')
      .addColumn('experiment', 'varchar(255)', (c) => c.notNull())
      .addColumn('number', 'integer', (c) => c.notNull())
      .addColumn('metric', 'varchar(255)', (c) => c.notNull())
      .addColumn('cell', 'varchar(255)', (c) => c.notNull())
      .addColumn('members', 'bigint', (c) => c.notNull())
      .addColumn('mean', 'double precision')
      .addColumn('lift', 'double precision')
      .addColumn('ci_low', 'double precision')
      .addColumn('ci_high', 'double precision')
      .addColumn('relative_lift', 'double precision')
      .addColumn('p_value', 'double precision')
      .addColumn('adjusted_p_value', 'double precision')
      .addColumn('significant', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('experiment_result_pk', ['experiment', 'number', 'metric', 'cell'])
      .addForeignKeyConstraint('experiment_result_report_fk', ['experiment', 'number'], 'experiment_report', ['experiment', 'number'], (fk) => fk.onDelete('cascade'))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('experiment_result').execute();
    await db.schema.dropTable('experiment_report').execute();
    await db.schema.dropTable('experiment').execute();
  },
};
