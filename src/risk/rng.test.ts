import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';

describe('Rng determinism', () => {
  it('repeats the same sequence for the same seed and differs for another', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 8 }, () => a.nextU32());
    const sb = Array.from({ length: 8 }, () => b.nextU32());
    const sc = Array.from({ length: 8 }, () => c.nextU32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('fillNormal and normal() agree on the same stream', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const out = new Float64Array(9);
    a.fillNormal(out);
    const one = Array.from({ length: 9 }, () => b.normal());
    expect(Array.from(out)).toEqual(one);
  });
});

describe('Rng distribution', () => {
  it('uniforms have mean 1/2 and variance 1/12; normals mean 0 variance 1 (n = 200,000, 5σ bounds)', () => {
    const rng = new Rng(1);
    const n = 200_000;
    let su = 0;
    let su2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      if (!(u > 0 && u < 1)) outside++;
      su += u;
      su2 += u * u;
    }
    expect(outside, 'uniforms outside (0, 1)').toBe(0);
    const mu = su / n;
    // Standard error of the mean of U(0,1): sqrt(1/12/n) ≈ 6.5e-4.
    expect(Math.abs(mu - 0.5)).toBeLessThan(5 * 6.5e-4);
    expect(Math.abs(su2 / n - mu * mu - 1 / 12)).toBeLessThan(2e-3);
    const z = new Float64Array(n);
    rng.fillNormal(z);
    let s = 0;
    let s2 = 0;
    for (const x of z) {
      s += x;
      s2 += x * x;
    }
    // SE of the mean of N(0,1): 1/sqrt(n) ≈ 2.2e-3; of the variance: sqrt(2/n) ≈ 3.2e-3.
    expect(Math.abs(s / n)).toBeLessThan(5 * 2.2e-3);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * 3.2e-3);
    // Tails: P(Z > 1.96) = 0.025 and P(Z > 3) = 0.0013499 (standard normal table); binomial SE ≈ 3.5e-4, 8.2e-5.
    const above = (t: number) => z.filter((x) => x > t).length / n;
    expect(Math.abs(above(1.959964) - 0.025)).toBeLessThan(5 * 3.5e-4);
    expect(Math.abs(above(3) - 0.0013499)).toBeLessThan(5 * 8.2e-5);
    expect(Math.abs(z.filter((x) => x < -3).length / n - 0.0013499)).toBeLessThan(5 * 8.2e-5);
  });
});
