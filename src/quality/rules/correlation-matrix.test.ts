import { describe, expect, it } from 'vitest';
import { at } from '../../core/assert.ts';
import { DEFAULT_THRESHOLDS as T } from '../thresholds.ts';
import { checkCorrelationMatrix } from './correlation-matrix.ts';

describe('correlation matrices', () => {
  it('accepts a valid matrix (property: any symmetric unit-diagonal matrix in [-1, 1])', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const n = 2 + (seed % 5);
      const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      let s = seed;
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) {
          s = (s * 16807) % 2147483647;
          const v = i === j ? 1 : (s / 2147483647) * 2 - 1;
          at(m, i)[j] = v;
          at(m, j)[i] = v;
        }
      }
      expect(checkCorrelationMatrix(m, T)).toEqual([]);
    }
  });
  it('reports non-square, NaN, out of range, asymmetric and off-diagonal problems', () => {
    expect(checkCorrelationMatrix([[1, 0.5]], T)[0]?.reason).toMatch(/not square/);
    const bad = [
      [1, 0.5, Number.NaN],
      [0.50011, 0.9, 0.2],
      [0.3, 1.2, 1],
    ];
    expect(checkCorrelationMatrix(bad, T, ['A', 'B', 'C']).map((v) => v.reason)).toEqual([
      'Not symmetric: [A, B] = 0.5 but [B, A] = 0.50011',
      'Correlation [A, C] is NaN',
      'Diagonal [B, B] = 0.9, expected 1 ± 0.01',
      'Not symmetric: [B, C] = 0.2 but [C, B] = 1.2',
      'Correlation [C, B] = 1.2 outside [-1, 1]',
    ]);
  });
});
