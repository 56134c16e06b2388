import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeDefinition } from '../../src/experiments/experiment-definition.ts';
import { calculateReport, type CellMetricStatistics } from '../../src/experiments/report-calculation.ts';
import { fitCuped } from '../../src/experiments/statistics/cuped.ts';
import { holmAdjust } from '../../src/experiments/statistics/holm-correction.ts';
import { relativeLift } from '../../src/experiments/statistics/relative-lift.ts';
import { sampleRatioMismatch } from '../../src/experiments/statistics/sample-ratio-mismatch.ts';
import { twoProportionZTest } from '../../src/experiments/statistics/two-proportion-z-test.ts';
import { welchTTest } from '../../src/experiments/statistics/welch-t-test.ts';

/** Every number anywhere in a value is finite (JSON would silently turn NaN into null). */
function assertNoNaN(value: unknown, where = 'report'): void {
  if (typeof value === 'number') assert.ok(Number.isFinite(value), `${where} is ${value}`);
  else if (Array.isArray(value)) value.forEach((v, i) => assertNoNaN(v, `${where}[${i}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) assertNoNaN(v, `${where}.${k}`);
}

describe('degenerate cells give documented numbers, never NaN', () => {
  test("Welch's t-test", () => {
    assert.deepEqual(welchTTest({ n: 0, mean: 0, variance: 0 }, { n: 5, mean: 1, variance: 1 }, 0.05), {
      difference: 0,
      ciLow: null,
      ciHigh: null,
      pValue: 1,
      statistic: null,
      note: 'each cell needs at least two members for a t-test',
    });
    assert.equal(welchTTest({ n: 1, mean: 2, variance: 0 }, { n: 5, mean: 1, variance: 1 }, 0.05).difference, -1);
    assert.deepEqual(welchTTest({ n: 5, mean: 2, variance: 0 }, { n: 5, mean: 2, variance: 0 }, 0.05), { difference: 0, ciLow: 0, ciHigh: 0, pValue: 1, statistic: 0, note: 'both cells are constant and equal' });
    assert.deepEqual(welchTTest({ n: 5, mean: 2, variance: 0 }, { n: 5, mean: 3, variance: 0 }, 0.05), { difference: 1, ciLow: 1, ciHigh: 1, pValue: 0, statistic: null, note: 'both cells are constant and differ' });
    // One constant cell is an ordinary test.
    const oneConstant = welchTTest({ n: 5, mean: 2, variance: 0 }, { n: 5, mean: 3, variance: 1 }, 0.05);
    assert.ok(oneConstant.pValue > 0 && oneConstant.pValue < 1 && oneConstant.degreesOfFreedom === 4);
  });

  test('two-proportion z-test', () => {
    assert.equal(twoProportionZTest({ n: 0, successes: 0 }, { n: 10, successes: 1 }, 0.05).pValue, 1);
    assert.deepEqual(twoProportionZTest({ n: 10, successes: 0 }, { n: 10, successes: 0 }, 0.05), { difference: 0, ciLow: 0, ciHigh: 0, pValue: 1, statistic: 0, note: 'both cells are constant and equal' });
    assert.deepEqual(twoProportionZTest({ n: 10, successes: 10 }, { n: 20, successes: 20 }, 0.05).pValue, 1);
    // All versus none: the Wald interval collapses, the pooled test still has spread.
    const allOrNone = twoProportionZTest({ n: 10, successes: 0 }, { n: 10, successes: 10 }, 0.05);
    assert.deepEqual([allOrNone.ciLow, allOrNone.ciHigh], [1, 1]);
    assert.ok(allOrNone.pValue < 1e-4);
  });

  test('relative lift, SRM, CUPED and Holm at their edges', () => {
    assert.deepEqual(relativeLift({ mean: 0, varianceOfMean: 0 }, { mean: 1, varianceOfMean: 1 }, 0.05), { lift: null, ciLow: null, ciHigh: null });
    assert.deepEqual(sampleRatioMismatch([0, 0], [1, 1]), { chiSquare: 0, degreesOfFreedom: 1, pValue: 1, mismatch: false, threshold: 0.001 });
    assert.equal(sampleRatioMismatch([100, 0], [1, 1]).mismatch, true);
    assert.deepEqual(fitCuped([]), { theta: 0, covariateMean: 0 });
    assert.equal(fitCuped([{ n: 5, mean: 1, variance: 1, covariateMean: 3, covariateVariance: 0, covariance: 0 }]).theta, 0);
    assert.deepEqual(holmAdjust([]), []);
    assert.deepEqual(holmAdjust([0.01, 0.04, 0.03, 0.5]), [0.04, 0.09, 0.09, 0.5]);
  });

  test('a report with an empty cell, a single-member cell and a zero control mean', () => {
    const definition = normalizeDefinition('edge', {
      allocation: { table: 'ab.allocations' },
      control: 'control',
      cells: [{ name: 'control' }, { name: 'empty' }, { name: 'lonely' }, { name: 'normal' }],
      metrics: [
        { name: 'hours', kind: 'mean', table: 'ab.events', value: 'sum(hours)', windowDays: 7, cuped: { preWindowDays: 7 } },
        { name: 'bought', kind: 'rate', table: 'ab.events', value: 'max(1)', windowDays: 7 },
      ],
    });
    const row = (cell: string, n: number, mean: number, variance: number): CellMetricStatistics => ({
      cell,
      n,
      mean,
      variance,
      total: mean * n,
      min: 0,
      max: mean > 0 ? 1 : 0,
      quantiles: [0, 0, mean, mean, 1],
      covariate: { mean: 1, variance: 0, covariance: 0 },
    });
    const members = new Map([
      ['control', 50],
      ['lonely', 1],
      ['normal', 40],
    ]);
    const report = calculateReport(
      'edge',
      definition,
      members,
      new Map([
        ['hours', [row('control', 50, 0, 0), row('lonely', 1, 1, 0), row('normal', 40, 0.5, 0.25)]],
        ['bought', [row('control', 50, 0, 0), row('lonely', 1, 1, 0), row('normal', 40, 0.5, 0.25)]],
      ]),
      { number: 1, computedAt: '2026-12-05T00:00:00.000Z' },
    );
    assertNoNaN(report);
    const hours = report.metrics[0]!;
    const empty = hours.cells.find((c) => c.name === 'empty')!;
    assert.deepEqual([empty.members, empty.mean, empty.lift, empty.pValue, empty.significant, empty.distribution], [0, null, null, 1, false, null]);
    assert.equal(hours.cuped!.theta, 0);
    const normal = report.metrics[1]!.cells.find((c) => c.name === 'normal')!;
    assert.equal(normal.relativeLift, null);
    assert.match(normal.note!, /control mean is 0/);
    assert.equal(report.srm.mismatch, true);
    // Six comparisons in Holm's family: three treatment cells times two metrics.
    assert.equal(report.metrics.flatMap((m) => m.cells).filter((c) => c.adjustedPValue !== null).length, 6);
  });

  test('a rate whose values are not 0 or 1 is refused by name', () => {
    const definition = normalizeDefinition('edge', {
      allocation: { table: 'ab.a' },
      control: 'a',
      cells: [{ name: 'a' }, { name: 'b' }],
      metrics: [{ name: 'watched', kind: 'rate', table: 'ab.e', value: 'sum(hours)', windowDays: 7 }],
    });
    const stats: CellMetricStatistics = { cell: 'b', n: 3, mean: 2, variance: 1, total: 6, min: 0, max: 4.5, quantiles: [] };
    assert.throws(() => calculateReport('edge', definition, new Map([['b', 3]]), new Map([['watched', [stats]]]), { number: 1, computedAt: '' }), /Metric watched is a rate, but its value per member ranges from 0 to 4.5/);
  });
});
