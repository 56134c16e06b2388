import { normalCritical } from './tail-probabilities.ts';

/** A cell's mean and the variance of that mean (s²/n, or p(1−p)/n for a rate). */
export interface MeanEstimate {
  mean: number;
  varianceOfMean: number;
}

export interface RelativeLift {
  /** treatment / control − 1; null when the control mean is 0 (no ratio exists). */
  lift: number | null;
  ciLow: number | null;
  ciHigh: number | null;
}

/**
 * Relative lift of treatment over control with a (1 − α) interval by the delta method: the ratio
 * r = m_t / m_c has Var(r) ≈ Var(m_t)/m_c² + m_t²·Var(m_c)/m_c⁴ (the cells are independent), and
 * the interval is normal around r − 1.
 */
export function relativeLift(control: MeanEstimate, treatment: MeanEstimate, alpha: number): RelativeLift {
  if (control.mean === 0) return { lift: null, ciLow: null, ciHigh: null };
  const mc = control.mean;
  const lift = treatment.mean / mc - 1;
  const se = Math.sqrt(treatment.varianceOfMean / mc ** 2 + (treatment.mean ** 2 * control.varianceOfMean) / mc ** 4);
  const half = normalCritical(alpha) * se;
  return { lift, ciLow: lift - half, ciHigh: lift + half };
}
