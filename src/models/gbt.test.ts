import { describe, expect, it } from 'vitest';
import { Rng } from '../risk/rng.ts';
import { fitGbt, predictGbt } from './gbt.ts';

function data(seed: number) {
  const rng = new Rng(seed);
  const x: Float64Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < 600; i++) {
    const a = rng.uniform();
    const b = rng.uniform();
    x.push(Float64Array.of(a, b));
    // An interaction a linear model cannot express: positive only in one corner.
    y.push(a > 0.7 && b > 0.7 ? 1 : 0);
  }
  return { x, y };
}

describe('gradient-boosted trees', () => {
  const { x, y } = data(11);
  it('same data and seed → the same model; another seed → another model', () => {
    const a = fitGbt(x, y, { seed: 5, trees: 30 });
    expect(fitGbt(x, y, { seed: 5, trees: 30 })).toEqual(a);
    expect(fitGbt(x, y, { seed: 6, trees: 30 })).not.toEqual(a);
  });
  it('learns an interaction (corner) the deviation-only logistic baseline could not', () => {
    const m = fitGbt(x, y, { seed: 1 });
    expect(predictGbt(m, [0.9, 0.9])).toBeGreaterThan(0.9);
    expect(predictGbt(m, [0.9, 0.2])).toBeLessThan(0.05);
    expect(predictGbt(m, [0.2, 0.9])).toBeLessThan(0.05);
  });
});
