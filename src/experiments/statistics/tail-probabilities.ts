import gammainc from '@stdlib/math-base-special-gammainc';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/*
 * The distribution functions the tests need, always evaluated in the tail that is small: a p-value
 * of 1e-12 computed as 1 − CDF would have lost every digit, the lower tail of a symmetric
 * distribution (or the upper regularized gamma for chi-square) keeps them.
 */

/** Two-sided p-value of a t statistic: 2·P(T ≤ −|t|). */
export function twoSidedT(t: number, degreesOfFreedom: number): number {
  return Math.min(1, 2 * tCdf(-Math.abs(t), degreesOfFreedom));
}

/** Two-sided p-value of a standard normal statistic: 2·Φ(−|z|). */
export function twoSidedNormal(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
}

/** The t critical value of a two-sided (1 − α) interval: −t⁻¹(α/2). */
export function tCritical(alpha: number, degreesOfFreedom: number): number {
  return -tQuantile(alpha / 2, degreesOfFreedom);
}

/** The normal critical value of a two-sided (1 − α) interval: −Φ⁻¹(α/2). */
export function normalCritical(alpha: number): number {
  return -normalQuantile(alpha / 2, 0, 1);
}

/** Survival function of chi-square: Q(k/2, x/2), the upper regularized incomplete gamma. */
export function chiSquareSurvival(x: number, degreesOfFreedom: number): number {
  if (x <= 0) return 1;
  return gammainc(x / 2, degreesOfFreedom / 2, true, true);
}
