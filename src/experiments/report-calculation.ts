import type { ExperimentDefinition, MetricDefinition } from './experiment-definition.ts';
import type { ExperimentReport, MetricCellReport, MetricReport } from './experiment-report.ts';
import type { Comparison } from './statistics/comparison.ts';
import { cupedAdjust, fitCuped, type CovariateSummary } from './statistics/cuped.ts';
import { holmAdjust } from './statistics/holm-correction.ts';
import { relativeLift } from './statistics/relative-lift.ts';
import { sampleRatioMismatch } from './statistics/sample-ratio-mismatch.ts';
import type { SampleSummary } from './statistics/sample-summary.ts';
import { twoProportionZTest } from './statistics/two-proportion-z-test.ts';
import { welchTTest } from './statistics/welch-t-test.ts';
import { DISTRIBUTION_QUANTILES } from './cell-statistics-sql.ts';
import { InvalidInputError } from '../errors/invalid-input-error.ts';

/** One metric's sufficient statistics in one cell, as the SQL computed them (no member's value). */
export interface CellMetricStatistics {
  cell: string;
  n: number;
  mean: number;
  /** Sample variance; 0 for fewer than two members. */
  variance: number;
  /** Sum of the values: a rate's conversions. */
  total: number;
  min: number;
  max: number;
  quantiles: number[];
  covariate?: { mean: number; variance: number; covariance: number };
}

/**
 * Turns per-cell statistics into the report: SRM over the members per cell, then per metric and
 * treatment cell the test its kind calls for (CUPED-adjusted Welch when the metric has a covariate),
 * relative lift, and Holm's correction over every comparison of the report.
 */
export function calculateReport(
  name: string,
  definition: ExperimentDefinition,
  members: ReadonlyMap<string, number>,
  statistics: ReadonlyMap<string, readonly CellMetricStatistics[]>,
  context: { number: number; computedAt: string },
): ExperimentReport {
  const { alpha, control } = definition;
  const counts = definition.cells.map((c) => members.get(c.name) ?? 0);
  const total = counts.reduce((s, n) => s + n, 0);
  const weight = definition.cells.reduce((s, c) => s + c.share, 0);
  const srm = sampleRatioMismatch(counts, definition.cells.map((c) => c.share), definition.srmThreshold);
  const metrics = definition.metrics.map((metric) => metricReport(definition, metric, statistics.get(metric.name) ?? [], members));
  // Holm over the whole family: every treatment cell of every metric.
  const family = metrics.flatMap((m) => m.cells.filter((c) => c.pValue !== null));
  holmAdjust(family.map((c) => c.pValue!)).forEach((adjusted, i) => {
    family[i]!.adjustedPValue = adjusted;
    family[i]!.significant = adjusted < alpha;
  });
  return {
    experiment: name,
    number: context.number,
    computedAt: context.computedAt,
    alpha,
    control,
    cells: definition.cells.map((c, i) => ({ name: c.name, members: counts[i]!, intendedShare: c.share / weight, observedShare: total === 0 ? 0 : counts[i]! / total })),
    srm,
    metrics,
  };
}

function metricReport(definition: ExperimentDefinition, metric: MetricDefinition, rows: readonly CellMetricStatistics[], members: ReadonlyMap<string, number>): MetricReport {
  const byCell = new Map(rows.map((r) => [r.cell, r]));
  const stat = (cell: string): CellMetricStatistics =>
    byCell.get(cell) ?? { cell, n: 0, mean: 0, variance: 0, total: 0, min: 0, max: 0, quantiles: [], covariate: metric.cuped ? { mean: 0, variance: 0, covariance: 0 } : undefined };
  if (metric.kind === 'rate') {
    const outside = rows.find((r) => r.n > 0 && (r.min < 0 || r.max > 1));
    if (outside) {
      throw new InvalidInputError(
        `Metric ${metric.name} is a rate, but its value per member ranges from ${outside.min} to ${outside.max} in cell ${outside.cell}: a rate's value must be 0 or 1 per member (e.g. max(CASE WHEN … THEN 1 ELSE 0 END)), or declare kind "mean"`,
        'metrics',
      );
    }
  }
  const covariateSummary = (s: CellMetricStatistics): CovariateSummary => ({
    n: s.n,
    mean: s.mean,
    variance: s.variance,
    covariateMean: s.covariate?.mean ?? 0,
    covariateVariance: s.covariate?.variance ?? 0,
    covariance: s.covariate?.covariance ?? 0,
  });
  const fit = metric.cuped ? fitCuped(definition.cells.map((c) => covariateSummary(stat(c.name)))) : undefined;
  const summaryOf = (s: CellMetricStatistics): SampleSummary => (fit ? cupedAdjust(covariateSummary(s), fit) : { n: s.n, mean: s.mean, variance: s.variance });
  const controlStat = stat(definition.control);
  const controlSummary = summaryOf(controlStat);
  const varianceOfMean = (summary: SampleSummary) =>
    summary.n === 0 ? 0 : metric.kind === 'rate' && !fit ? (summary.mean * (1 - summary.mean)) / summary.n : summary.variance / summary.n;

  const cells = definition.cells.map((cell): MetricCellReport => {
    const s = stat(cell.name);
    const summary = summaryOf(s);
    const base: MetricCellReport = {
      name: cell.name,
      members: members.get(cell.name) ?? 0,
      mean: s.n === 0 ? null : s.mean,
      variance: s.n === 0 ? null : s.variance,
      ...(fit ? { adjustedMean: s.n === 0 ? null : summary.mean } : {}),
      distribution: s.n === 0 ? null : { min: s.min, max: s.max, quantiles: DISTRIBUTION_QUANTILES.map((q, i) => ({ q, value: s.quantiles[i] ?? s.min })) },
      lift: null,
      ciLow: null,
      ciHigh: null,
      relativeLift: null,
      relativeCiLow: null,
      relativeCiHigh: null,
      pValue: null,
      adjustedPValue: null,
      significant: false,
    };
    if (cell.name === definition.control) return base;
    const comparison: Comparison =
      metric.kind === 'rate' && !fit
        ? twoProportionZTest({ n: controlStat.n, successes: Math.round(controlStat.total) }, { n: s.n, successes: Math.round(s.total) }, definition.alpha)
        : welchTTest(controlSummary, summary, definition.alpha);
    const relative =
      s.n === 0 || controlStat.n === 0
        ? { lift: null, ciLow: null, ciHigh: null }
        : relativeLift({ mean: controlSummary.mean, varianceOfMean: varianceOfMean(controlSummary) }, { mean: summary.mean, varianceOfMean: varianceOfMean(summary) }, definition.alpha);
    const notes = [comparison.note, controlStat.n > 0 && controlSummary.mean === 0 && s.n > 0 ? 'control mean is 0: no relative lift' : undefined].filter(Boolean);
    return {
      ...base,
      lift: s.n === 0 || controlStat.n === 0 ? null : comparison.difference,
      ciLow: comparison.ciLow,
      ciHigh: comparison.ciHigh,
      relativeLift: relative.lift,
      relativeCiLow: relative.ciLow,
      relativeCiHigh: relative.ciHigh,
      pValue: comparison.pValue,
      ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
    };
  });
  return {
    name: metric.name,
    kind: metric.kind,
    test: fit ? 'welch-t-cuped' : metric.kind === 'rate' ? 'two-proportion-z' : 'welch-t',
    cuped: fit && metric.cuped ? { theta: fit.theta, preWindowDays: metric.cuped.preWindowDays } : null,
    cells,
  };
}
