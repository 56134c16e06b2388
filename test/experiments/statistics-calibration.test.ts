import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cupedAdjust, fitCuped, type CovariateSummary } from '../../src/experiments/statistics/cuped.ts';
import { summarize } from '../../src/experiments/statistics/sample-summary.ts';
import { twoProportionZTest } from '../../src/experiments/statistics/two-proportion-z-test.ts';
import { welchTTest } from '../../src/experiments/statistics/welch-t-test.ts';
import { seededNormal, seededUniform } from './random-samples.ts';

/*
 * Calibration over repeated seeds: under no effect a test at α = 0.05 is significant in about 5%
 * of experiments; with a planted effect it finds it. SEEDS experiments per claim, each simulated
 * from its own seed, so the counts are the same on every run. With 400 seeds the null rate's
 * standard error is √(0.05·0.95/400) ≈ 1.1%: the bounds below are 5% ± 3 standard errors.
 */

const SEEDS = 400;
const ALPHA = 0.05;
const NULL_RATE = { low: 0.017, high: 0.083 };

/** One simulated experiment: control and treatment with a covariate X and metric Y = X·ρ-ish + noise + effect. */
function simulate(seed: number, effect: number, correlation: number, n = 120): CovariateSummary[] {
  const draw = seededNormal(seed);
  return [0, 1].map((cell) => {
    const x: number[] = [];
    const y: number[] = [];
    // Unequal spread between cells: Welch's setting.
    const spread = cell === 0 ? 1 : 1.6;
    for (let i = 0; i < n + 30 * cell; i++) {
      const covariate = draw();
      x.push(covariate);
      y.push(spread * (correlation * covariate + Math.sqrt(1 - correlation ** 2) * draw()) + (cell === 1 ? effect : 0));
    }
    const sx = summarize(x);
    const sy = summarize(y);
    let covariance = 0;
    y.forEach((v, i) => (covariance += (v - sy.mean) * (x[i]! - sx.mean)));
    return { ...sy, covariateMean: sx.mean, covariateVariance: sx.variance, covariance: covariance / (sy.n - 1) };
  });
}

function run(effect: number, correlation: number) {
  let plain = 0;
  let cuped = 0;
  const widthRatios: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const [control, treatment] = simulate(seed, effect, correlation);
    const a = welchTTest(control!, treatment!, ALPHA);
    const fit = fitCuped([control!, treatment!]);
    const b = welchTTest(cupedAdjust(control!, fit), cupedAdjust(treatment!, fit), ALPHA);
    if (a.pValue < ALPHA) plain++;
    if (b.pValue < ALPHA) cuped++;
    widthRatios.push((b.ciHigh! - b.ciLow!) / (a.ciHigh! - a.ciLow!));
  }
  widthRatios.sort((x, y) => x - y);
  return { plain: plain / SEEDS, cuped: cuped / SEEDS, medianWidthRatio: widthRatios[SEEDS / 2]!, maxWidthRatio: widthRatios.at(-1)! };
}

describe('calibration over repeated seeds', () => {
  test("Welch's t-test under no effect: about 5% significant, with and without CUPED", (t) => {
    const r = run(0, 0.8);
    t.diagnostic(`null: ${JSON.stringify(r)}`);
    assert.ok(r.plain >= NULL_RATE.low && r.plain <= NULL_RATE.high, `without CUPED ${r.plain}`);
    assert.ok(r.cuped >= NULL_RATE.low && r.cuped <= NULL_RATE.high, `with CUPED ${r.cuped}`);
  });

  test('a planted effect is found, more often with CUPED, whose interval is narrower when the covariate correlates', (t) => {
    const r = run(0.35, 0.8);
    t.diagnostic(`planted: ${JSON.stringify(r)}`);
    assert.ok(r.plain >= 0.6, `found without CUPED in ${r.plain}`);
    assert.ok(r.cuped >= 0.9, `found with CUPED in ${r.cuped}`);
    assert.ok(r.cuped > r.plain);
    // Theory: the interval shrinks by √(1 − ρ²) = 0.6.
    assert.ok(r.medianWidthRatio > 0.5 && r.medianWidthRatio < 0.7, `median width ratio ${r.medianWidthRatio}`);
    assert.ok(r.maxWidthRatio < 1);
  });

  test('CUPED with an unrelated covariate changes almost nothing', (t) => {
    const r = run(0, 0);
    t.diagnostic(`unrelated covariate: ${JSON.stringify(r)}`);
    assert.ok(r.cuped >= NULL_RATE.low && r.cuped <= NULL_RATE.high, `with CUPED ${r.cuped}`);
    assert.ok(r.medianWidthRatio > 0.97 && r.medianWidthRatio <= 1.01, `median width ratio ${r.medianWidthRatio}`);
  });

  test('two-proportion z-test: about 5% significant under no effect, a planted lift found', (t) => {
    const rate = (effect: number) => {
      let significant = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const uniform = seededUniform(1000 + seed);
        const count = (n: number, p: number) => ({ n, successes: Array.from({ length: n }, () => uniform() < p).filter(Boolean).length });
        if (twoProportionZTest(count(800, 0.1), count(700, 0.1 + effect), ALPHA).pValue < ALPHA) significant++;
      }
      return significant / SEEDS;
    };
    const nullRate = rate(0);
    assert.ok(nullRate >= NULL_RATE.low && nullRate <= NULL_RATE.high, `null rate ${nullRate}`);
    const power = rate(0.06);
    t.diagnostic(`z-test: null rate ${nullRate}, power ${power}`);
    assert.ok(power >= 0.85, `planted lift found in ${power}`);
  });
});
