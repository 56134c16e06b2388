import { constantComparison, untestable, type Comparison } from './comparison.ts';
import type { SampleSummary } from './sample-summary.ts';
import { tCritical, twoSidedT } from './tail-probabilities.ts';

/**
 * Welch's unequal-variances t-test of treatment − control from summary statistics, with the
 * Welch–Satterthwaite degrees of freedom and a (1 − α) interval for the difference of the means
 * (what scipy.stats.ttest_ind(treatment, control, equal_var=False) and its confidence_interval give).
 *
 * Needs two members per cell (a sample variance); with fewer it is `untestable`. Two constant cells
 * (standard error 0) give the `constantComparison`.
 */
export function welchTTest(control: SampleSummary, treatment: SampleSummary, alpha: number): Comparison {
  const difference = treatment.n > 0 && control.n > 0 ? treatment.mean - control.mean : 0;
  if (control.n < 2 || treatment.n < 2) return untestable(difference, 'each cell needs at least two members for a t-test');
  const a = control.variance / control.n;
  const b = treatment.variance / treatment.n;
  const se = Math.sqrt(a + b);
  if (se === 0) return constantComparison(difference);
  const degreesOfFreedom = (a + b) ** 2 / (a ** 2 / (control.n - 1) + b ** 2 / (treatment.n - 1));
  const statistic = difference / se;
  const half = tCritical(alpha, degreesOfFreedom) * se;
  return { difference, ciLow: difference - half, ciHigh: difference + half, pValue: twoSidedT(statistic, degreesOfFreedom), statistic, degreesOfFreedom };
}
