import type { Database } from '../db/database.ts';
import { NotFoundError } from '../errors/not-found-error.ts';
import type { QueryEngine } from '../query/query-engine.ts';
import { cellMembersSql, metricStatisticsSql } from './cell-statistics-sql.ts';
import { normalizeDefinition, type ExperimentDefinitionInput } from './experiment-definition.ts';
import type { ExperimentReport } from './experiment-report.ts';
import { ExperimentStore, type StoredExperiment } from './experiment-store.ts';
import { calculateReport, type CellMetricStatistics } from './report-calculation.ts';

/**
 * The experiments area: declarations and reports. A report reads the warehouse through the query
 * engine — per-cell sufficient statistics computed in SQL, one row per cell — and is stored before
 * it is answered, so `latest` always names a report that was computed in full.
 */
export class ExperimentsArea {
  readonly store: ExperimentStore;

  constructor(
    database: Database,
    private readonly engine: QueryEngine,
  ) {
    this.store = new ExperimentStore(database);
  }

  /** Declares or replaces an experiment; answers it with defaults filled in and whether it is new. */
  async declare(name: string, input: ExperimentDefinitionInput): Promise<{ experiment: StoredExperiment; created: boolean }> {
    const definition = normalizeDefinition(name, input);
    const created = await this.store.save(name, definition);
    return { experiment: (await this.store.get(name))!, created };
  }

  async get(name: string): Promise<StoredExperiment> {
    const experiment = await this.store.get(name);
    if (!experiment) throw new NotFoundError(`No experiment named ${name}; declare it with PUT /api/experiments/v1/experiments/${name}`, { experiment: name });
    return experiment;
  }

  /** Removes an experiment and every report of it (the warehouse tables it reads stay). */
  async remove(name: string): Promise<void> {
    if (!(await this.store.remove(name))) throw new NotFoundError(`No experiment named ${name}`, { experiment: name });
  }

  list(): Promise<StoredExperiment[]> {
    return this.store.list();
  }

  /** Computes a report from the warehouse as it is now and stores it. */
  async computeReport(name: string, signal?: AbortSignal): Promise<ExperimentReport> {
    const { definition } = await this.get(name);
    const members = new Map<string, number>();
    for (const [cell, count] of await this.rows(cellMembersSql(definition), signal)) members.set(String(cell), Number(count));
    const statistics = new Map<string, CellMetricStatistics[]>();
    for (const metric of definition.metrics) {
      const rows = await this.rows(metricStatisticsSql(definition, metric), signal);
      statistics.set(metric.name, rows.map((row) => toStatistics(row, metric.cuped !== undefined)));
    }
    for (let attempt = 0; ; attempt++) {
      const report = calculateReport(name, definition, members, statistics, { number: await this.store.nextReportNumber(name), computedAt: new Date().toISOString() });
      if (await this.store.saveReport(report)) return report;
      if (attempt >= 5) throw new Error(`Could not store a report of experiment ${name}: its report number was taken ${attempt + 1} times by concurrent reports`);
    }
  }

  async latestReport(name: string): Promise<ExperimentReport> {
    await this.get(name);
    const report = await this.store.latestReport(name);
    if (!report) throw new NotFoundError(`Experiment ${name} has no report yet; compute one with POST /api/experiments/v1/experiments/${name}/reports`, { experiment: name });
    return report;
  }

  private async rows(sql: string, signal?: AbortSignal): Promise<unknown[][]> {
    const query = await this.engine.start(sql, signal);
    try {
      const rows: unknown[][] = [];
      for await (const chunk of query.rows()) rows.push(...chunk);
      return rows;
    } finally {
      query.close();
    }
  }
}

/** One row of metricStatisticsSql: NULL variances (a single member) become 0. */
function toStatistics(row: unknown[], cuped: boolean): CellMetricStatistics {
  const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
  const [cell, n, mean, variance, total, min, max, quantiles, covariateMean, covariateVariance, covariance] = row;
  return {
    cell: String(cell),
    n: num(n),
    mean: num(mean),
    variance: num(variance),
    total: num(total),
    min: num(min),
    max: num(max),
    quantiles: Array.isArray(quantiles) ? quantiles.map(num) : [],
    ...(cuped ? { covariate: { mean: num(covariateMean), variance: num(covariateVariance), covariance: num(covariance) } } : {}),
  };
}

