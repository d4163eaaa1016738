import { describe, expect, it } from 'vitest';
import { auc, brier, classifierMetrics, logLoss } from './metrics.ts';

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
