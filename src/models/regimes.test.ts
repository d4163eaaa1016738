import { describe, expect, it } from 'vitest';
import { Rng } from '../risk/rng.ts';
import { fitHmm2, highRegimeProbability, hmmFilter } from './regimes.ts';

/** Regime-switching observations with known states (seeded): the truth the HMM must recover. */
function simulate(n: number, seed: number) {
  const rng = new Rng(seed);
  const states: number[] = [];
  const xs: number[][] = [];
  let s = 0;
  for (let t = 0; t < n; t++) {
    if (rng.uniform() < (s === 0 ? 0.02 : 0.05)) s = 1 - s;
    states.push(s);
    xs.push(
      s === 0
        ? [0.2 + 0.08 * rng.normal(), 0.2 + 0.03 * rng.normal()]
        : [0.7 + 0.08 * rng.normal(), 0.1 + 0.03 * rng.normal()],
    );
  }
  return { states, xs };
}

describe('two-state Gaussian HMM of correlation regimes', () => {
  const { states, xs } = simulate(1500, 21);
  const m = fitHmm2(xs);
  it('recovers the regime means and persistence of a simulated path', () => {
    expect(m.mean[0][0]).toBeCloseTo(0.2, 1);
    expect(m.mean[1][0]).toBeCloseTo(0.7, 1);
    expect(m.a[0]).toBeGreaterThan(0.95);
    expect(m.a[3]).toBeGreaterThan(0.9);
  });
  it('the filtered state agrees with the true state almost everywhere', () => {
    const f = hmmFilter(m, xs).filtered;
    const agree = f.filter((p, t) => (p[1] > 0.5 ? 1 : 0) === states[t]).length / f.length;
    expect(agree).toBeGreaterThan(0.97);
  });
  it('P(high regime next week) moves toward the stationary share as the horizon grows', () => {
    const p1 = highRegimeProbability(m, xs, 1);
    const p500 = highRegimeProbability(m, xs, 500);
    const stationary = m.a[1] / (m.a[1] + m.a[2]);
    expect(p500).toBeCloseTo(stationary, 6);
    expect(p1).toBeGreaterThanOrEqual(0);
    expect(p1).toBeLessThanOrEqual(1);
  });
});
