import { describe, expect, it } from 'vitest';
import {
  cholesky,
  choleskyRepaired,
  nearestCorrelation,
  symmetricEigen,
  validateCorrelation,
} from './linalg.ts';

function mulLLt(l: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
      out[i * n + j] = s;
    }
  return out;
}

describe('cholesky', () => {
  it('factors a 2×2 correlation matrix as [[1,0],[ρ,√(1−ρ²)]]', () => {
    const l = cholesky([1, 0.6, 0.6, 1], 2);
    // Closed form for a 2×2 correlation matrix: L21 = ρ, L22 = sqrt(1 - ρ²) = 0.8.
    expect(Array.from(l ?? [])).toEqual([1, 0, 0.6, 0.8]);
  });

  it('reconstructs a 3×3 matrix and accepts perfect correlation (singular PSD)', () => {
    const a = [1, 0.5, 0.2, 0.5, 1, 0.3, 0.2, 0.3, 1];
    const l = cholesky(a, 3);
    expect(l).not.toBeNull();
    const back = mulLLt(l ?? new Float64Array(9), 3);
    for (let i = 0; i < 9; i++) expect(back[i]).toBeCloseTo(a[i] ?? 0, 12);
    expect(cholesky([1, 1, 1, 1], 2)).not.toBeNull();
  });

  it('returns null for an indefinite matrix', () => {
    // ρ12 = ρ13 = 0.9, ρ23 = −0.9 has a negative eigenvalue (determinant 1 − 3·0.81 − 2·0.729 < 0).
    expect(cholesky([1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1], 3)).toBeNull();
  });
});

describe('nearest correlation repair', () => {
  const bad = [1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1];

  it('yields a symmetric, unit-diagonal PSD matrix that Cholesky accepts', () => {
    const r = choleskyRepaired(bad, 3);
    expect(r.repaired).toBe(true);
    validateCorrelation(r.correlation, 3);
    const { values } = symmetricEigen(r.correlation, 3);
    expect(Math.min(...values)).toBeGreaterThan(-1e-9);
    const back = mulLLt(r.factor, 3);
    for (let i = 0; i < 9; i++) expect(back[i]).toBeCloseTo(r.correlation[i] ?? 0, 9);
  });

  it('leaves a valid matrix unchanged', () => {
    const a = [1, 0.5, 0.5, 1];
    const fixed = nearestCorrelation(a, 2);
    for (let i = 0; i < 4; i++) expect(fixed[i]).toBeCloseTo(a[i] ?? 0, 12);
    expect(choleskyRepaired(a, 2).repaired).toBe(false);
  });

  it('eigenvalues of [[2,1],[1,2]] are 1 and 3', () => {
    const v = Array.from(symmetricEigen([2, 1, 1, 2], 2).values).sort();
    expect(v[0]).toBeCloseTo(1, 12);
    expect(v[1]).toBeCloseTo(3, 12);
  });

  it('rejects a non-symmetric matrix naming the entry', () => {
    expect(() => validateCorrelation([1, 0.2, 0.3, 1], 2)).toThrow(/correlation\[1\]\[0\]/);
  });
});
