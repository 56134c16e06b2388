import type { SampleRatioCheck } from './statistics/sample-ratio-mismatch.ts';

/** A quantile of a cell's per-member values. */
export interface Quantile {
  q: number;
  value: number;
}

/** One cell of one metric: its summary and, for a treatment cell, the comparison with control. */
export interface MetricCellReport {
  name: string;
  members: number;
  /** The metric's mean per member; null for a cell without members. */
  mean: number | null;
  variance: number | null;
  /** With CUPED: the mean of the adjusted values Y − θ(X − x̄), what the comparison uses. */
  adjustedMean?: number | null;
  distribution: { min: number; max: number; quantiles: Quantile[] } | null;
  /** Absolute lift over control (treatment − control) and its (1 − α) interval; null for control and when no interval exists. */
  lift: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** treatment / control − 1 and its delta-method interval; null for control or a control mean of 0. */
  relativeLift: number | null;
  relativeCiLow: number | null;
  relativeCiHigh: number | null;
  /** Two-sided p-value of this comparison alone; null for control. */
  pValue: number | null;
  /** Holm-adjusted across every (metric, cell) comparison of the report; null for control. */
  adjustedPValue: number | null;
  /** adjustedPValue < alpha. */
  significant: boolean;
  /** Why a number is missing or degenerate (empty cell, constant cells, …). */
  note?: string;
}

export interface MetricReport {
  name: string;
  kind: 'mean' | 'rate';
  test: 'welch-t' | 'two-proportion-z' | 'welch-t-cuped';
  /** CUPED's θ and the covariate's window, when the metric has one. */
  cuped: { theta: number; preWindowDays: number } | null;
  cells: MetricCellReport[];
}

/** A computed A/B report: what GET …/reports/latest answers and the HTML page shows. */
export interface ExperimentReport {
  experiment: string;
  /** Per experiment, 1, 2, …: the order reports were computed in. */
  number: number;
  computedAt: string;
  alpha: number;
  control: string;
  cells: { name: string; members: number; intendedShare: number; observedShare: number }[];
  srm: SampleRatioCheck;
  metrics: MetricReport[];
}
