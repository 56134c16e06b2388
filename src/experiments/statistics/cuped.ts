import type { SampleSummary } from './sample-summary.ts';

/**
 * A cell's metric with its pre-period covariate: the metric's summary plus the covariate's mean and
 * sample variance and the sample covariance of metric and covariate (all divisor n − 1; 0 when n < 2).
 */
export interface CovariateSummary extends SampleSummary {
  covariateMean: number;
  covariateVariance: number;
  covariance: number;
}

export interface CupedFit {
  /** Cov(Y, X) / Var(X) over all members of all cells; 0 when the covariate does not vary. */
  theta: number;
  /** The covariate's mean over all members: adjusted values are centred on it, so adjusted means stay on the metric's scale. */
  covariateMean: number;
}

/**
 * CUPED's θ from the pooled sample of every cell, combined from the cells' sufficient statistics
 * (within-cell sums of squares and products plus the between-cell terms), so no member's values
 * are needed.
 */
export function fitCuped(cells: readonly CovariateSummary[]): CupedFit {
  const total = cells.reduce((s, c) => s + c.n, 0);
  if (total === 0) return { theta: 0, covariateMean: 0 };
  const meanX = cells.reduce((s, c) => s + c.n * c.covariateMean, 0) / total;
  const meanY = cells.reduce((s, c) => s + c.n * c.mean, 0) / total;
  let sxx = 0;
  let sxy = 0;
  for (const c of cells) {
    if (c.n === 0) continue;
    sxx += (c.n - 1) * c.covariateVariance + c.n * (c.covariateMean - meanX) ** 2;
    sxy += (c.n - 1) * c.covariance + c.n * (c.covariateMean - meanX) * (c.mean - meanY);
  }
  return { theta: sxx > 0 ? sxy / sxx : 0, covariateMean: meanX };
}

/**
 * A cell's summary of Y − θ·(X − x̄): mean shifted by θ times the cell's covariate imbalance,
 * variance Var(Y) − 2θ·Cov(Y, X) + θ²·Var(X) (floored at 0 against rounding).
 */
export function cupedAdjust(cell: CovariateSummary, fit: CupedFit): SampleSummary {
  const { theta } = fit;
  if (cell.n === 0) return { n: 0, mean: 0, variance: 0 };
  const variance = cell.variance - 2 * theta * cell.covariance + theta ** 2 * cell.covariateVariance;
  return { n: cell.n, mean: cell.mean - theta * (cell.covariateMean - fit.covariateMean), variance: Math.max(0, variance) };
}
