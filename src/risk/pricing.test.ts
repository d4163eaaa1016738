import { describe, expect, it } from 'vitest';
import { quotePremium } from './pricing.ts';
import { PRICING_DEFAULTS, resolvePricingParams } from './pricing-params.ts';

describe('quotePremium with defaults', () => {
  it('prices 100,000 USDC for 30 days: 100,000 × 4 % × 1.0 × 1 × 1 × 30/365 = 328.77', () => {
    const q = quotePremium({ asset: 'usdc', amount: 100_000, days: 30 });
    expect(q.asset).toBe('USDC');
    expect(q.premium).toBeCloseTo((100_000 * 0.04 * 30) / 365, 9);
    expect(q.rate).toBeCloseTo(0.04, 12);
    expect(q.breakdown).toMatchObject({
      base_rate: 0.04,
      risk_weight: 1,
      size_multiplier: 1,
      utilization_multiplier: 1,
    });
  });

  it('applies the ≥ $10M tier (×0.80), the USDT weight and the ≥ 80 % utilisation step', () => {
    // 20M USDT, 365 days, capacity 50M with 40 % sold: utilisation after = 0.4 + 20/50 = 0.8 → step
    // ×1.5 (config 040: utilization_multiplier_80). Premium = 20M × 6 % × 1.2 × 0.8 × 1.5 = 1,728,000.
    const q = quotePremium({ asset: 'USDT', amount: 20e6, days: 365, utilization: 0.4, capacity: 50e6 });
    expect(q.breakdown.size_multiplier).toBe(0.8);
    expect(q.breakdown.utilization).toBeCloseTo(0.8, 12);
    expect(q.breakdown.utilization_multiplier).toBe(1.5);
    expect(q.premium).toBeCloseTo(1_728_000, 4);
    expect(quotePremium({ asset: 'USDT', amount: 2e6, days: 365 }).breakdown.size_multiplier).toBe(0.95);
  });

  it('charges the minimum premium on tiny cover and the default rate for unknown assets', () => {
    const q = quotePremium({ asset: 'FOO', amount: 1000, days: 7 });
    // 1000 × 10 % × 1.5 × 7/365 = 2.88 < max(100, 1000 × 0.5 % × 7/365).
    expect(q.breakdown.base_rate).toBe(0.1);
    expect(q.breakdown.risk_weight).toBe(1.5);
    expect(q.premium).toBe(100);
    expect(q.breakdown.minimum_applied).toBe(true);
  });

  it('rejects bad amounts and durations with the value quoted', () => {
    expect(() => quotePremium({ asset: 'USDC', amount: -5 })).toThrow(/amount .* -5/);
    expect(() => quotePremium({ asset: 'USDC', amount: 5, days: 400 })).toThrow(/days .* 400/);
  });
});

describe('resolvePricingParams', () => {
  it('takes config values by key and falls back to defaults key by key', () => {
    const cfg: Record<string, unknown> = {
      'pricing.base_rate_USDC': '0.03',
      'pricing.minimum_premium_absolute': 50,
      'pricing.utilization_multiplier_60': 1.2,
      'pricing.size_discount_tier3_multiplier': 0.7,
    };
    const p = resolvePricingParams((k) => cfg[k], ['PYUSD'], Object.keys(cfg));
    expect(p.baseRates.USDC).toBe(0.03);
    expect(p.baseRates.USDT).toBe(0.06);
    expect(p.minPremium).toBe(50);
    expect(p.defaultBaseRate).toBe(PRICING_DEFAULTS.defaultBaseRate);
    expect(quotePremium({ asset: 'PYUSD', amount: 1e6, days: 365 }, p).breakdown.base_rate).toBe(0.1);
    expect(p.utilizationSteps.find((s) => s.minUtilization === 0.6)?.multiplier).toBe(1.2);
    expect(quotePremium({ asset: 'USDC', amount: 20e6, utilization: 0.65 }, p).breakdown).toMatchObject({
      size_multiplier: 0.7,
      utilization_multiplier: 1.2,
    });
  });
});
