import { describe, expect, it } from 'vitest';
import { Rng } from '../risk/rng.ts';
import { auc, blockResample, brier, classifierMetrics, defaultBlockLength, logLoss } from './metrics.ts';

describe('classifier scores', () => {
  // Hand count (Mann–Whitney): positives 0.8, 0.4; negatives 0.1, 0.4, 0.35. Pairs won: 0.8 beats all 3,
  // 0.4 beats 0.1 and 0.35 and ties 0.4 (½) → (3 + 2.5) / 6.
  const p = [0.8, 0.1, 0.4, 0.4, 0.35];
  const y = [1, 0, 1, 0, 0];
  it('AUC counts ties as one half', () => {
    expect(auc(p, y)).toBeCloseTo(5.5 / 6, 12);
  });
  it('AUC is undefined with one class', () => {
    expect(auc([0.1, 0.2], [0, 0])).toBeNaN();
  });
  it('Brier and log-loss match their definitions', () => {
    const b = (0.2 ** 2 + 0.1 ** 2 + 0.6 ** 2 + 0.4 ** 2 + 0.35 ** 2) / 5;
    expect(brier(p, y)).toBeCloseTo(b, 12);
    const ll = -(Math.log(0.8) + Math.log(0.9) + Math.log(0.4) + Math.log(0.6) + Math.log(0.65)) / 5;
    expect(logLoss(p, y)).toBeCloseTo(ll, 12);
  });
  it('bootstrap intervals are reproducible by seed and contain the estimate', () => {
    const a = classifierMetrics(p, y, { seed: 7, resamples: 200 });
    const b = classifierMetrics(p, y, { seed: 7, resamples: 200 });
    const c = classifierMetrics(p, y, { seed: 8, resamples: 200 });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    for (const e of [a.brier, a.log_loss]) {
      expect(e.lo).toBeLessThanOrEqual(e.value);
      expect(e.hi).toBeGreaterThanOrEqual(e.value);
    }
    expect(a.positives).toBe(2);
  });
});

describe('moving-block bootstrap', () => {
  // AR(1) x_t = 0.9 x_{t−1} + e_t (seeded Gaussian e); events y_t = 1{x_t > 0} come in long runs, so the
  // losses of a constant forecast p = 0.3 are positively autocorrelated and the variance of their mean is
  // several times what an i.i.d. bootstrap sees (for a sample mean: (1 + ρ)/(1 − ρ) times at lag-1 ρ).
  const rng = new Rng(11);
  const n = 1000;
  const x = new Float64Array(n);
  for (let t = 1; t < n; t++) x[t] = 0.9 * (x[t - 1] as number) + rng.normal();
  const y = Array.from(x, (v) => (v > 0 ? 1 : 0));
  const p = y.map(() => 0.3);
  it('resamples whole blocks of consecutive indices', () => {
    const out = new Uint32Array(10);
    blockResample(out, 10, 4, new Rng(3));
    // Blocks of 4, 4 and the first 2 of a third: each run is consecutive.
    for (const k of [1, 2, 3, 5, 6, 7, 9]) expect(out[k]).toBe((out[k - 1] as number) + 1);
    expect(defaultBlockLength(1000)).toBe(10);
    expect(defaultBlockLength(1)).toBe(1);
  });
  it('is wider than the i.i.d. bootstrap on an AR(1) series, and deterministic with a seed', () => {
    const block = classifierMetrics(p, y, { seed: 5, resamples: 400 });
    const again = classifierMetrics(p, y, { seed: 5, resamples: 400 });
    const iid = classifierMetrics(p, y, { seed: 5, resamples: 400, blockLength: 1 });
    expect(again).toEqual(block);
    expect(block.block_length).toBe(10);
    expect(iid.block_length).toBe(1);
    const width = (e: { lo: number; hi: number }) => e.hi - e.lo;
    expect(width(block.brier)).toBeGreaterThan(1.5 * width(iid.brier));
    expect(width(block.log_loss)).toBeGreaterThan(1.5 * width(iid.log_loss));
  });
});
