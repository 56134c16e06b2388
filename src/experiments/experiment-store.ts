import type { Database } from '../db/database.ts';
import type { ExperimentDefinition } from './experiment-definition.ts';
import type { ExperimentReport } from './experiment-report.ts';

export interface StoredExperiment {
  name: string;
  definition: ExperimentDefinition;
  createdAt: number;
  updatedAt: number;
}

/**
 * Experiments and their reports in the metadata database (shared by every node). A report is stored
 * whole (JSON) and as one result row per (metric, cell), in one transaction; report numbers are
 * unique per experiment by the primary key, so two nodes computing at once get 1 and 2, not both 1.
 */
export class ExperimentStore {
  constructor(private readonly database: Database) {}

  async get(name: string): Promise<StoredExperiment | undefined> {
    const row = await this.database.db.selectFrom('experiment').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toExperiment(row);
  }

  async list(): Promise<StoredExperiment[]> {
    return (await this.database.db.selectFrom('experiment').selectAll().orderBy('name').execute()).map(toExperiment);
  }

  /** Inserts or replaces a declaration; answers whether it was new. Earlier reports stay. */
  async save(name: string, definition: ExperimentDefinition): Promise<boolean> {
    const now = Date.now();
    const text = JSON.stringify(definition);
    const existed = await this.get(name);
    await this.database.db
      .insertInto('experiment')
      .values({ name, definition: text, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ definition: text, updated_at: now }))
      .execute();
    return existed === undefined;
  }

  /** Removes a declaration with its reports and results, in one transaction; answers whether it existed. */
  async remove(name: string): Promise<boolean> {
    return this.database.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('experiment_result').where('experiment', '=', name).execute();
      await tx.deleteFrom('experiment_report').where('experiment', '=', name).execute();
      const deleted = await tx.deleteFrom('experiment').where('name', '=', name).executeTakeFirst();
      return Number(deleted.numDeletedRows) > 0;
    });
  }

  /** The next report's number for an experiment (1 for the first). */
  async nextReportNumber(name: string): Promise<number> {
    const row = await this.database.db.selectFrom('experiment_report').select((eb) => eb.fn.max('number').as('last')).where('experiment', '=', name).executeTakeFirst();
    return Number(row?.last ?? 0) + 1;
  }

  /**
   * Stores a report under its number; answers false when that number was taken meanwhile (by
   * another node), so the caller renumbers and tries again.
   */
  async saveReport(report: ExperimentReport): Promise<boolean> {
    try {
      await this.database.db.transaction().execute(async (tx) => {
        await tx
          .insertInto('experiment_report')
          .values({ experiment: report.experiment, number: report.number, computed_at: Date.parse(report.computedAt), report: JSON.stringify(report) })
          .execute();
        const rows = report.metrics.flatMap((metric) =>
          metric.cells.map((cell) => ({
            experiment: report.experiment,
            number: report.number,
            metric: metric.name,
            cell: cell.name,
            members: cell.members,
            mean: cell.mean,
            lift: cell.lift,
            ci_low: cell.ciLow,
            ci_high: cell.ciHigh,
            relative_lift: cell.relativeLift,
            p_value: cell.pValue,
            adjusted_p_value: cell.adjustedPValue,
            significant: cell.significant ? 1 : 0,
          })),
        );
        if (rows.length > 0) await tx.insertInto('experiment_result').values(rows).execute();
      });
      return true;
    } catch (error) {
      if (this.database.adapter.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async latestReport(name: string): Promise<ExperimentReport | undefined> {
    const row = await this.database.db.selectFrom('experiment_report').select('report').where('experiment', '=', name).orderBy('number', 'desc').limit(1).executeTakeFirst();
    return row && (JSON.parse(row.report) as ExperimentReport);
  }
}

function toExperiment(row: { name: string; definition: string; created_at: number; updated_at: number }): StoredExperiment {
  return { name: row.name, definition: JSON.parse(row.definition) as ExperimentDefinition, createdAt: Number(row.created_at), updatedAt: Number(row.updated_at) };
}
