import { constantComparison, untestable, type Comparison } from './comparison.ts';
import { normalCritical, twoSidedNormal } from './tail-probabilities.ts';

/** A rate's counts in one cell: members, and those with the event (conversions, retained, …). */
export interface ProportionCounts {
  n: number;
  successes: number;
}

/**
 * Two-proportion z-test of treatment − control: the statistic and p-value use the pooled standard
 * error (the null hypothesis says both rates are equal), the (1 − α) Wald interval for the
 * difference the unpooled one (it describes the rates as observed).
 *
 * An empty cell is `untestable`. A pooled rate of 0 or 1 (no conversions anywhere, or all) gives
 * the `constantComparison` of a zero difference; a zero-conversion cell beside a converting one is
 * an ordinary test (its own variance term is 0).
 */
export function twoProportionZTest(control: ProportionCounts, treatment: ProportionCounts, alpha: number): Comparison {
  if (control.n === 0 || treatment.n === 0) return untestable(0, 'an empty cell has no rate to compare');
  const p1 = control.successes / control.n;
  const p2 = treatment.successes / treatment.n;
  const difference = p2 - p1;
  const pooled = (control.successes + treatment.successes) / (control.n + treatment.n);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / treatment.n));
  if (pooledSe === 0) return constantComparison(difference);
  const statistic = difference / pooledSe;
  const waldSe = Math.sqrt((p1 * (1 - p1)) / control.n + (p2 * (1 - p2)) / treatment.n);
  const half = normalCritical(alpha) * waldSe;
  return { difference, ciLow: difference - half, ciHigh: difference + half, pValue: twoSidedNormal(statistic), statistic };
}
