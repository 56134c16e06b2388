/**
 * What a test needs to know of one cell's per-member values: the sufficient statistics, never the
 * values themselves. `variance` is the sample variance (divisor n − 1); it is 0 when n < 2, where
 * the sample variance is undefined (SQL's var_samp gives NULL there).
 */
export interface SampleSummary {
  n: number;
  mean: number;
  variance: number;
}

/** Sample summary of raw values (tests and small callers; reports get theirs from SQL). */
export function summarize(values: readonly number[]): SampleSummary {
  const n = values.length;
  if (n === 0) return { n: 0, mean: 0, variance: 0 };
  let mean = 0;
  for (const v of values) mean += v;
  mean /= n;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { n, mean, variance: n < 2 ? 0 : squares / (n - 1) };
}
