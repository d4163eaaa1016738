import { describe, expect, it } from 'vitest';
import { type AlertInputs, computeAlerts, computeRecommendations, diversificationScore } from './alerts.ts';

const calm: AlertInputs = {
  ltv: 0.5,
  capital: 50e6,
  worstStress: { scenario: 'SVB', loss: 10e6 },
  varTrend: 0.05,
  diversification: 0.9,
  var95: 2e6,
  newDepegs7d: 0,
};
const levels = (x: AlertInputs) => computeAlerts(x).map((a) => `${a.level}:${a.code}`);

describe('computeAlerts thresholds', () => {
  it('only informational alerts when every number is inside its limit', () => {
    expect(levels(calm)).toEqual(['low:var_info']);
  });

  it('LTV: > 80 % critical, > 70 % high, exactly 70 % nothing', () => {
    expect(levels({ ...calm, ltv: 0.81 })).toContain('critical:ltv');
    expect(levels({ ...calm, ltv: 0.75 })).toContain('high:ltv');
    expect(levels({ ...calm, ltv: 0.8 })).toContain('high:ltv');
    expect(levels({ ...calm, ltv: 0.7 }).some((l) => l.endsWith(':ltv'))).toBe(false);
  });

  it('stress loss above 50 % of capital is critical', () => {
    expect(levels({ ...calm, worstStress: { scenario: 'X', loss: 25.1e6 } })).toContain(
      'critical:stress_loss',
    );
    expect(levels({ ...calm, worstStress: { scenario: 'X', loss: 25e6 } })).not.toContain(
      'critical:stress_loss',
    );
  });

  it('VaR trend above +20 % is high; no history raises nothing', () => {
    expect(levels({ ...calm, varTrend: 0.21 })).toContain('high:var_trend');
    expect(levels({ ...calm, varTrend: 0.2 })).not.toContain('high:var_trend');
    expect(levels({ ...calm, varTrend: null })).toEqual(['low:var_info']);
  });

  it('diversification below 0.5 is medium; new depegs are informational', () => {
    expect(levels({ ...calm, diversification: 0.49 })).toContain('medium:diversification');
    expect(levels({ ...calm, diversification: 0.5 })).not.toContain('medium:diversification');
    expect(levels({ ...calm, newDepegs7d: 2 })).toContain('low:new_depegs');
  });
});

describe('computeRecommendations', () => {
  it('reserves = VaR95 × multiplier; LTV and stress cuts computed from the numbers', () => {
    const r = computeRecommendations({
      ...calm,
      ltv: 0.9,
      coverage: 45e6,
      worstStress: { scenario: 'SVB', loss: 30e6 },
      worstAsset: { asset: 'USDC', lossPerDollar: 0.12 },
      reserveMultiplier: 1.5,
      largest: { asset: 'USDC', share: 0.6 },
    });
    const by = Object.fromEntries(r.map((x) => [x.code, x.amount]));
    expect(by.reserves).toBe(3e6); // 2M × 1.5
    expect(by.reduce_ltv).toBeCloseTo(45e6 - 0.7 * 50e6, 6); // 10M
    expect(by.reduce_stress).toBeCloseTo((30e6 - 25e6) / 0.12, 6); // 41.67M
  });
});

describe('diversificationScore', () => {
  it('is 1 for an even spread, 0 for one asset, in between otherwise', () => {
    expect(diversificationScore([1, 1, 1, 1])).toBeCloseTo(1, 12);
    expect(diversificationScore([5, 0])).toBe(0);
    // Shares 0.9 / 0.1: H = −(0.9 ln 0.9 + 0.1 ln 0.1) = 0.325083; / ln 2 = 0.468996.
    expect(diversificationScore([9, 1])).toBeCloseTo(0.468996, 6);
  });
});
