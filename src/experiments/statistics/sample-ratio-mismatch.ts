import { chiSquareSurvival } from './tail-probabilities.ts';

export interface SampleRatioCheck {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  /** Whether pValue is below the threshold: the allocation did not follow the intended split. */
  mismatch: boolean;
  threshold: number;
}

/** The p-value under which a split is called a mismatch unless an experiment says otherwise. */
export const DEFAULT_SRM_THRESHOLD = 0.001;

/**
 * Chi-square goodness of fit of the members per cell against the intended shares (any positive
 * weights; they are normalised), as scipy.stats.chisquare(observed, expected) computes it. No
 * members at all, or a single cell, is no evidence of a mismatch: χ² 0, p-value 1.
 */
export function sampleRatioMismatch(observed: readonly number[], shares: readonly number[], threshold = DEFAULT_SRM_THRESHOLD): SampleRatioCheck {
  if (observed.length !== shares.length) throw new Error(`sampleRatioMismatch: ${observed.length} cells observed but ${shares.length} shares given`);
  const degreesOfFreedom = Math.max(observed.length - 1, 0);
  const total = observed.reduce((s, o) => s + o, 0);
  const weight = shares.reduce((s, w) => s + w, 0);
  if (total === 0 || degreesOfFreedom === 0) return { chiSquare: 0, degreesOfFreedom, pValue: 1, mismatch: false, threshold };
  let chiSquare = 0;
  observed.forEach((o, i) => {
    const expected = (total * shares[i]!) / weight;
    chiSquare += (o - expected) ** 2 / expected;
  });
  const pValue = chiSquareSurvival(chiSquare, degreesOfFreedom);
  return { chiSquare, degreesOfFreedom, pValue, mismatch: pValue < threshold, threshold };
}
