import { describe, expect, it } from 'vitest';
import { Rng } from '../risk/rng.ts';
import { fitLogistic, predictLogistic } from './logistic.ts';

describe('logistic regression by IRLS', () => {
  const rng = new Rng(3);
  const x: Float64Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < 400; i++) {
    const a = rng.normal();
    const b = rng.normal();
    x.push(Float64Array.of(a, b));
    y.push(rng.uniform() < 1 / (1 + Math.exp(-(0.5 + 2 * a - b))) ? 1 : 0);
  }
  it('solves the penalised score equations (the optimality conditions, independent of the solver)', () => {
    const l2 = 0.5;
    const m = fitLogistic(x, y, { l2 });
    // Σ (y − p) = 0 for the unpenalised intercept; Σ (y − p) z_j = λ β_j for each standardised slope.
    const g = [0, 0, 0];
    x.forEach((row, i) => {
      const r = (y[i] as number) - predictLogistic(m, row);
      g[0] = (g[0] as number) + r;
      for (let j = 0; j < 2; j++)
        g[j + 1] =
          (g[j + 1] as number) + (r * ((row[j] as number) - (m.mean[j] as number))) / (m.scale[j] as number);
    });
    expect(Math.abs(g[0] as number)).toBeLessThan(1e-8);
    for (let j = 1; j <= 2; j++) expect(g[j] as number).toBeCloseTo(l2 * (m.coef[j] as number), 8);
  });
  it('recovers the generating signs and stays finite on one-class data', () => {
    const m = fitLogistic(x, y, { l2: 0.01 });
    expect(m.coef[1]).toBeGreaterThan(0);
    expect(m.coef[2]).toBeLessThan(0);
    const flat = fitLogistic(x, new Array(400).fill(0));
    expect(predictLogistic(flat, Float64Array.of(0, 0))).toBeLessThan(1e-5);
    expect(Number.isFinite(flat.coef[0])).toBe(true);
  });
});
