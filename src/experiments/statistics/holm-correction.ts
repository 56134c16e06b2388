/**
 * Holm's step-down adjustment of a family of p-values (every (metric, cell) comparison of a report):
 * sorted ascending, the i-th of m is multiplied by m − i (i from 0), made non-decreasing and capped
 * at 1. Rejecting where the adjusted value is below α controls the family-wise error rate at α.
 * Answers the adjusted values in the order given.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p || x.i - y.i);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
