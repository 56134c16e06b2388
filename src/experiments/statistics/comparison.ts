/**
 * One treatment cell compared with control: the absolute difference of the means (treatment −
 * control), its (1 − α) confidence interval and the two-sided p-value.
 *
 * Degenerate inputs never give NaN: when no test is possible (a cell with fewer members than the
 * test needs) `pValue` is 1, the interval is null and `note` says why; when both cells are
 * constant the interval collapses onto the difference and `pValue` is 1 if they agree, 0 if not.
 */
export interface Comparison {
  difference: number;
  ciLow: number | null;
  ciHigh: number | null;
  pValue: number;
  /** The test statistic (t or z); null when no test was possible or both cells are constant and differ. */
  statistic: number | null;
  /** Welch–Satterthwaite degrees of freedom (t-tests only). */
  degreesOfFreedom?: number;
  note?: string;
}

/** The comparison of two constant samples: no spread, so the difference is certain. */
export function constantComparison(difference: number): Comparison {
  return difference === 0
    ? { difference, ciLow: 0, ciHigh: 0, pValue: 1, statistic: 0, note: 'both cells are constant and equal' }
    : { difference, ciLow: difference, ciHigh: difference, pValue: 0, statistic: null, note: 'both cells are constant and differ' };
}

/** No test possible: the difference as observed, no interval, nothing significant. */
export function untestable(difference: number, note: string): Comparison {
  return { difference, ciLow: null, ciHigh: null, pValue: 1, statistic: null, note };
}
