import { describe, expect, it } from 'vitest';
import { quotePremium } from './pricing.ts';

describe('quote priced with a depeg model forecast', () => {
  const req = { asset: 'USDC', amount: 10_000_000, days: 90 };
  it('scales the raw premium by probability / base rate and shows the multiplier', () => {
    const plain = quotePremium(req);
    expect(plain.breakdown.model_multiplier).toBeUndefined();
    const priced = quotePremium({ ...req, depegModel: { probability: 0.03, baseRate: 0.01 } });
    expect(priced.breakdown.model_multiplier).toBeCloseTo(3, 12);
    expect(priced.breakdown.raw_premium).toBeCloseTo(plain.breakdown.raw_premium * 3, 6);
    // A calmer-than-usual day lowers the raw premium, down to the minimum premium at most.
    const calm = quotePremium({ ...req, depegModel: { probability: 0.0001, baseRate: 0.01 } });
    expect(calm.breakdown.raw_premium).toBeCloseTo(plain.breakdown.raw_premium / 100, 6);
    expect(calm.premium).toBe(Math.max(calm.breakdown.raw_premium, calm.breakdown.minimum_premium));
  });
  it('refuses a forecast that is not a probability or a zero base rate', () => {
    expect(() => quotePremium({ ...req, depegModel: { probability: 1.5, baseRate: 0.01 } })).toThrow(
      /0\.\.1/,
    );
    expect(() => quotePremium({ ...req, depegModel: { probability: 0.1, baseRate: 0 } })).toThrow(
      /base rate/,
    );
  });
});
