import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cupedAdjust, fitCuped } from '../../src/experiments/statistics/cuped.ts';
import { holmAdjust } from '../../src/experiments/statistics/holm-correction.ts';
import { relativeLift } from '../../src/experiments/statistics/relative-lift.ts';
import { sampleRatioMismatch } from '../../src/experiments/statistics/sample-ratio-mismatch.ts';
import { summarize } from '../../src/experiments/statistics/sample-summary.ts';
import { twoProportionZTest } from '../../src/experiments/statistics/two-proportion-z-test.ts';
import { welchTTest } from '../../src/experiments/statistics/welch-t-test.ts';
import { runPython } from '../support/python.ts';
import { seededNormal, seededUniform } from './random-samples.ts';

/*
 * Quarry's statistics against scipy 1.17 (the suite's Python environment), both computed from the
 * same raw data: Quarry from its sufficient statistics, scipy from the values themselves.
 */

const RELATIVE = 1e-9;

function assertClose(actual: number | null, expected: number, what: string): void {
  assert.ok(actual !== null && Number.isFinite(actual), `${what}: got ${actual}, scipy ${expected}`);
  const scale = Math.max(Math.abs(actual), Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= RELATIVE * scale, `${what}: ${actual} vs scipy ${expected} (relative ${Math.abs(actual - expected) / scale})`);
}

const normalSample = (seed: number, n: number, mean: number, sd: number) => {
  const draw = seededNormal(seed);
  return Array.from({ length: n }, () => mean + sd * draw());
};
const conversions = (seed: number, n: number, rate: number) => {
  const uniform = seededUniform(seed);
  return Array.from({ length: n }, () => (uniform() < rate ? 1 : 0));
};

/** The scipy side: reads the cases, answers per case the numbers scipy (and numpy) give. */
const SCIPY = String.raw`
import json, os, sys
import numpy as np
from scipy import stats
cases = json.load(open(os.environ['CASES']))
alpha = cases['alpha']
out = {}
def welch(t, c):
    r = stats.ttest_ind(np.array(t), np.array(c), equal_var=False)
    ci = r.confidence_interval(1 - alpha)
    return {'statistic': float(r.statistic), 'pValue': float(r.pvalue), 'df': float(r.df), 'ciLow': float(ci.low), 'ciHigh': float(ci.high)}
out['welch'] = [welch(t, c) for c, t in cases['welch']]
def proportions(c, t):
    c = np.array(c, dtype=float); t = np.array(t, dtype=float)
    p1, p2 = c.mean(), t.mean()
    pooled = (c.sum() + t.sum()) / (len(c) + len(t))
    z = (p2 - p1) / np.sqrt(pooled * (1 - pooled) * (1 / len(c) + 1 / len(t)))
    se = np.sqrt(p1 * (1 - p1) / len(c) + p2 * (1 - p2) / len(t))
    crit = stats.norm.ppf(1 - alpha / 2)
    return {'statistic': float(z), 'pValue': float(2 * stats.norm.sf(abs(z))), 'ciLow': float(p2 - p1 - crit * se), 'ciHigh': float(p2 - p1 + crit * se)}
out['proportions'] = [proportions(c, t) for c, t in cases['proportions']]
def srm(observed, shares):
    observed = np.array(observed, dtype=float); shares = np.array(shares, dtype=float)
    r = stats.chisquare(observed, observed.sum() * shares / shares.sum())
    return {'chiSquare': float(r.statistic), 'pValue': float(r.pvalue)}
out['srm'] = [srm(o, s) for o, s in cases['srm']]
def holm(p):
    p = np.array(p); order = np.argsort(p, kind='stable'); m = len(p)
    adjusted = np.empty(m); running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i])); adjusted[i] = running
    return adjusted.tolist()
five = cases['five']
raw = [welch(t, five['control'])['pValue'] for t in five['treatments']]
out['five'] = {'pValues': raw, 'holm': holm(raw)}
def relative(c, t):
    c = np.array(c); t = np.array(t)
    mc, mt = c.mean(), t.mean(); vc, vt = c.var(ddof=1) / len(c), t.var(ddof=1) / len(t)
    lift = mt / mc - 1
    se = np.sqrt(vt / mc**2 + mt**2 * vc / mc**4)
    crit = stats.norm.ppf(1 - alpha / 2)
    return {'lift': float(lift), 'ciLow': float(lift - crit * se), 'ciHigh': float(lift + crit * se)}
out['relative'] = [relative(c, t) for c, t in cases['relative']]
def cuped(c):
    ys = [np.array(y) for y, _ in c]; xs = [np.array(x) for _, x in c]
    y_all = np.concatenate(ys); x_all = np.concatenate(xs)
    theta = np.cov(x_all, y_all, ddof=1)[0, 1] / np.var(x_all, ddof=1)
    adjusted = [y - theta * (x - x_all.mean()) for y, x in zip(ys, xs)]
    r = welch(adjusted[1], adjusted[0])
    r['theta'] = float(theta)
    r['means'] = [float(a.mean()) for a in adjusted]
    return r
out['cuped'] = [cuped(c) for c in cases['cuped']]
json.dump(out, sys.stdout)
`;

describe('statistics agree with scipy 1.17 to 1e-9', () => {
  const alpha = 0.05;
  const welchCases = [
    // Unequal variances and sizes.
    [normalSample(1, 37, 10, 1), normalSample(2, 211, 10.3, 5)],
    // A strong effect: a p-value far in the tail keeps its digits.
    [normalSample(3, 400, 0, 1), normalSample(4, 300, 2, 2.5)],
    // Tiny samples, close means.
    [normalSample(5, 3, 1, 0.1), normalSample(6, 4, 1.01, 3)],
  ];
  const proportionCases = [
    [conversions(7, 5000, 0.1), conversions(8, 4000, 0.115)],
    // A zero-conversion treatment cell.
    [conversions(9, 500, 0.08), conversions(10, 300, 0)],
    // A zero-conversion control cell.
    [conversions(11, 200, 0), conversions(12, 250, 0.05)],
  ];
  const srmCases: [number[], number[]][] = [
    // p just above and just below 0.001 with an even split (χ² = d²/2500 for 10,000 members).
    [[5164, 4836], [1, 1]],
    [[5166, 4834], [1, 1]],
    // Very unbalanced intended split (95/5), observed close and far.
    [[94_920, 5080], [95, 5]],
    [[94_700, 5300], [95, 5]],
    // p around 2e-9.
    [[10_421, 9579], [1, 1]],
    [[3400, 3300, 3100], [1, 1, 1]],
  ];
  const fiveControl = normalSample(20, 300, 5, 2);
  const fiveTreatments = [normalSample(21, 280, 5, 2), normalSample(22, 320, 5.5, 3), normalSample(23, 250, 5.1, 1), normalSample(24, 310, 4.6, 2.5), normalSample(25, 300, 5.02, 2)];
  const relativeCases = [
    [normalSample(30, 500, 3, 1), normalSample(31, 450, 3.3, 1.5)],
    [normalSample(32, 60, 0.4, 0.2), normalSample(33, 80, 0.38, 0.5)],
  ];
  const cupedCases = [0, 1].map((k) => {
    const cells = [0, 1].map((cell) => {
      const draw = seededNormal(40 + 10 * k + cell);
      const x = Array.from({ length: 400 + 37 * cell }, () => 2 + draw());
      const y = x.map((v) => 1 + 0.8 * v + 0.3 * cell + (0.5 + k) * draw());
      return [y, x];
    });
    return cells;
  });

  let scipy: {
    welch: { statistic: number; pValue: number; df: number; ciLow: number; ciHigh: number }[];
    proportions: { statistic: number; pValue: number; ciLow: number; ciHigh: number }[];
    srm: { chiSquare: number; pValue: number }[];
    five: { pValues: number[]; holm: number[] };
    relative: { lift: number; ciLow: number; ciHigh: number }[];
    cuped: { statistic: number; pValue: number; df: number; ciLow: number; ciHigh: number; theta: number; means: number[] }[];
  };
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'quarry-scipy-'));
    const file = path.join(dir, 'cases.json');
    writeFileSync(file, JSON.stringify({ alpha, welch: welchCases, proportions: proportionCases, srm: srmCases, five: { control: fiveControl, treatments: fiveTreatments }, relative: relativeCases, cuped: cupedCases }));
    const result = await runPython(SCIPY, { CASES: file });
    assert.equal(result.code, 0, result.stderr);
    scipy = JSON.parse(result.stdout);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("Welch's t-test: statistic, degrees of freedom, p-value and interval", () => {
    welchCases.forEach(([control, treatment], i) => {
      const r = welchTTest(summarize(control!), summarize(treatment!), alpha);
      const s = scipy.welch[i]!;
      assertClose(r.statistic, s.statistic, `case ${i} t`);
      assertClose(r.degreesOfFreedom!, s.df, `case ${i} df`);
      assertClose(r.pValue, s.pValue, `case ${i} p`);
      assertClose(r.ciLow, s.ciLow, `case ${i} ciLow`);
      assertClose(r.ciHigh, s.ciHigh, `case ${i} ciHigh`);
    });
    assert.ok(scipy.welch[1]!.pValue < 1e-20, 'the strong-effect case reaches the far tail');
  });

  test('two-proportion z-test, zero-conversion cells included', () => {
    proportionCases.forEach(([control, treatment], i) => {
      const counts = (v: number[]) => ({ n: v.length, successes: v.reduce((s, x) => s + x, 0) });
      const r = twoProportionZTest(counts(control!), counts(treatment!), alpha);
      const s = scipy.proportions[i]!;
      assertClose(r.statistic, s.statistic, `case ${i} z`);
      assertClose(r.pValue, s.pValue, `case ${i} p`);
      assertClose(r.ciLow, s.ciLow, `case ${i} ciLow`);
      assertClose(r.ciHigh, s.ciHigh, `case ${i} ciHigh`);
    });
  });

  test('sample-ratio mismatch: chi-square and p-value, flagged exactly below the threshold', () => {
    srmCases.forEach(([observed, shares], i) => {
      const r = sampleRatioMismatch(observed, shares);
      const s = scipy.srm[i]!;
      assertClose(r.chiSquare, s.chiSquare, `case ${i} χ²`);
      assertClose(r.pValue, s.pValue, `case ${i} p`);
      assert.equal(r.mismatch, s.pValue < 0.001, `case ${i}: p ${s.pValue}`);
    });
    assert.deepEqual(
      srmCases.map(([o, s]) => sampleRatioMismatch(o, s).mismatch),
      [false, true, false, true, true, true],
    );
    assert.ok(scipy.srm[4]!.pValue < 1e-8 && scipy.srm[4]!.pValue > 1e-10, `p ≈ 2e-9 (${scipy.srm[4]!.pValue})`);
    // The threshold is configurable.
    assert.equal(sampleRatioMismatch([5164, 4836], [1, 1], 0.01).mismatch, true);
  });

  test("five cells: Holm's correction of the Welch p-values", () => {
    const control = summarize(fiveControl);
    const raw = fiveTreatments.map((t) => welchTTest(control, summarize(t), alpha).pValue);
    raw.forEach((p, i) => assertClose(p, scipy.five.pValues[i]!, `cell ${i} p`));
    holmAdjust(raw).forEach((p, i) => assertClose(p, scipy.five.holm[i]!, `cell ${i} Holm`));
    assert.ok(scipy.five.holm.some((p, i) => p > scipy.five.pValues[i]!), 'the correction changed something');
  });

  test('relative lift with its delta-method interval', () => {
    relativeCases.forEach(([control, treatment], i) => {
      const estimate = (v: number[]) => {
        const s = summarize(v);
        return { mean: s.mean, varianceOfMean: s.variance / s.n };
      };
      const r = relativeLift(estimate(control!), estimate(treatment!), alpha);
      const s = scipy.relative[i]!;
      assertClose(r.lift, s.lift, `case ${i} lift`);
      assertClose(r.ciLow, s.ciLow, `case ${i} ciLow`);
      assertClose(r.ciHigh, s.ciHigh, `case ${i} ciHigh`);
    });
  });

  test('CUPED from sufficient statistics equals adjusting every value, then Welch', () => {
    cupedCases.forEach((cells, i) => {
      const summaries = cells.map(([y, x]) => {
        const sy = summarize(y!);
        const sx = summarize(x!);
        let covariance = 0;
        y!.forEach((v, j) => (covariance += (v - sy.mean) * (x![j]! - sx.mean)));
        return { ...sy, covariateMean: sx.mean, covariateVariance: sx.variance, covariance: covariance / (sy.n - 1) };
      });
      const fit = fitCuped(summaries);
      const s = scipy.cuped[i]!;
      assertClose(fit.theta, s.theta, `case ${i} θ`);
      const adjusted = summaries.map((c) => cupedAdjust(c, fit));
      adjusted.forEach((a, j) => assertClose(a.mean, s.means[j]!, `case ${i} adjusted mean ${j}`));
      const r = welchTTest(adjusted[0]!, adjusted[1]!, alpha);
      assertClose(r.statistic, s.statistic, `case ${i} t`);
      assertClose(r.pValue, s.pValue, `case ${i} p`);
      assertClose(r.ciLow, s.ciLow, `case ${i} ciLow`);
      assertClose(r.ciHigh, s.ciHigh, `case ${i} ciHigh`);
    });
  });
});
