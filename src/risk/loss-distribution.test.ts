import { describe, expect, it } from 'vitest';
import { LossDistribution, selectInPlace } from './loss-distribution.ts';
import { Rng } from './rng.ts';

describe('LossDistribution exact mode', () => {
  it('quantile and tail mean of 1..100 by hand', () => {
    const d = new LossDistribution();
    for (let i = 100; i >= 1; i--) d.add(i);
    // Lower empirical quantile: rank ceil(0.95·100) = 95 → value 95; tail mean of the top 5 = (96+…+100)/5 = 98.
    expect(d.quantile(0.95)).toBe(95);
    expect(d.quantile(0.99)).toBe(99);
    expect(d.tailMean(0.95)).toBe(98);
    expect(d.mean).toBe(50.5);
    expect([d.min, d.max]).toEqual([1, 100]);
    expect(d.approximate).toBe(false);
  });
});

describe('LossDistribution histogram mode', () => {
  it('agrees with an exact sort within a bin width on 300,000 normals (seed 3)', () => {
    const d = new LossDistribution({ exactCapacity: 10_000, bins: 4096 });
    const all = new Float64Array(300_000);
    const rng = new Rng(3);
    rng.fillNormal(all);
    for (const x of all) d.add(x);
    expect(d.approximate).toBe(true);
    const s = Float64Array.from(all).sort();
    const exactQ = (p: number) => s[Math.ceil(p * s.length) - 1] ?? Number.NaN;
    // Bin width = 2·span/4096 ≈ 2·8/4096 ≈ 0.004.
    for (const p of [0.05, 0.5, 0.95, 0.99]) expect(Math.abs(d.quantile(p) - exactQ(p))).toBeLessThan(0.005);
    let tail = 0;
    for (let i = 285_000; i < 300_000; i++) tail += s[i] ?? 0;
    expect(Math.abs(d.tailMean(0.95) - tail / 15_000)).toBeLessThan(0.005);
    expect(d.max).toBe(s[s.length - 1]);
  });

  it('keeps memory bounded: a constant stream then outliers beyond the range', () => {
    const d = new LossDistribution({ exactCapacity: 100, bins: 64 });
    for (let i = 0; i < 1000; i++) d.add(0);
    for (let i = 0; i < 10; i++) d.add(1000);
    expect(d.quantile(0.5)).toBeCloseTo(0, 3);
    expect(d.quantile(1)).toBe(1000);
    // Top 1 % of 1010 values = the 10 outliers... k = 1010 − floor(0.99·1010) = 11 → (10·1000 + 0)/11.
    expect(d.tailMean(0.99)).toBeCloseTo(10_000 / 11, 6);
  });
});

describe('selectInPlace', () => {
  it('puts the k-th smallest at k with smaller before and larger after, for every k (seeded data with ties)', () => {
    const rng = new Rng(17);
    const base = Float64Array.from({ length: 257 }, () => Math.floor(rng.uniform() * 50));
    const sorted = Float64Array.from(base).sort();
    for (let k = 0; k < base.length; k++) {
      const a = Float64Array.from(base);
      selectInPlace(a, k);
      const v = a[k] ?? Number.NaN;
      expect(v).toBe(sorted[k]);
      expect(a.subarray(0, k).every((x) => x <= v)).toBe(true);
      expect(a.subarray(k + 1).every((x) => x >= v)).toBe(true);
    }
  });
});
