/**
 * Small dense linear algebra for correlation matrices (row-major `Float64Array`, n × n): Cholesky
 * factorisation, symmetric eigen-decomposition (cyclic Jacobi) and repair to the nearest valid
 * correlation matrix by eigenvalue clipping.
 */
import { ValidationError } from '../core/errors.ts';

/**
 * Checks that `m` is an n × n correlation matrix: finite, symmetric (to 1e-9), unit diagonal, entries
 * in [−1, 1]. Throws a ValidationError quoting the first bad entry.
 */
export function validateCorrelation(m: ArrayLike<number>, n: number): void {
  if (m.length !== n * n)
    throw new ValidationError(`correlation matrix has ${m.length} entries, expected ${n}×${n}`);
  for (let i = 0; i < n; i++) {
    const d = m[i * n + i] ?? Number.NaN;
    if (Math.abs(d - 1) > 1e-9) throw new ValidationError(`correlation[${i}][${i}] is ${d}, expected 1`);
    for (let j = 0; j < i; j++) {
      const a = m[i * n + j] ?? Number.NaN;
      const b = m[j * n + i] ?? Number.NaN;
      if (!Number.isFinite(a) || Math.abs(a) > 1 + 1e-12) {
        throw new ValidationError(`correlation[${i}][${j}] is ${a}, expected a number in [-1, 1]`);
      }
      if (Math.abs(a - b) > 1e-9)
        throw new ValidationError(`correlation[${i}][${j}] = ${a} but [${j}][${i}] = ${b}`);
    }
  }
}

/**
 * Lower-triangular L with L·Lᵀ = a, or null when `a` is not positive semi-definite. Zero pivots (within
 * 1e-12 of the diagonal scale) are accepted, so exactly singular PSD matrices such as perfect
 * correlation factor too; their column of L is zero below the pivot.
 */
export function cholesky(a: ArrayLike<number>, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j] ?? 0;
    for (let k = 0; k < j; k++) {
      const v = l[j * n + k] ?? 0;
      d -= v * v;
    }
    const scale = Math.max(1, Math.abs(a[j * n + j] ?? 0));
    if (d < -1e-10 * scale || Number.isNaN(d)) return null;
    if (d <= 1e-12 * scale) {
      // Singular direction: nothing left to explain in column j; rows below must agree or it is not PSD.
      for (let i = j + 1; i < n; i++) {
        let s = a[i * n + j] ?? 0;
        for (let k = 0; k < j; k++) s -= (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
        if (Math.abs(s) > 1e-8 * scale) return null;
      }
      continue;
    }
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j] ?? 0;
      for (let k = 0; k < j; k++) s -= (l[i * n + k] ?? 0) * (l[j * n + k] ?? 0);
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

export interface Eigen {
  /** Eigenvalues, unsorted. */
  values: Float64Array;
  /** Eigenvectors as columns: vectors[i * n + k] is component i of vector k. */
  vectors: Float64Array;
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations (fine up to a few hundred assets). */
export function symmetricEigen(m: ArrayLike<number>, n: number, maxSweeps = 60): Eigen {
  const a = Float64Array.from({ length: n * n }, (_, i) => m[i] ?? 0);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += (a[p * n + q] ?? 0) ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q] ?? 0;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p] ?? 0;
        const aqq = a[q * n + q] ?? 0;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p] ?? 0;
          const akq = a[k * n + q] ?? 0;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k] ?? 0;
          const aqk = a[q * n + k] ?? 0;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] ?? 0;
          const vkq = v[k * n + q] ?? 0;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i] ?? 0;
  return { values, vectors: v };
}

/**
 * Nearest correlation matrix by eigenvalue clipping: negative eigenvalues are raised to `minEigen`, the
 * matrix rebuilt and rescaled to a unit diagonal. Not the Frobenius-optimal Higham projection, but one
 * pass, stable, and exact when the input is already valid.
 */
export function nearestCorrelation(m: ArrayLike<number>, n: number, minEigen = 1e-10): Float64Array {
  const { values, vectors } = symmetricEigen(m, n);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++)
        s += (vectors[i * n + k] ?? 0) * Math.max(values[k] ?? 0, minEigen) * (vectors[j * n + k] ?? 0);
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = 1 / Math.sqrt(out[i * n + i] ?? 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++)
      out[i * n + j] = i === j ? 1 : (out[i * n + j] ?? 0) * (d[i] ?? 1) * (d[j] ?? 1);
  }
  return out;
}

export interface RepairedFactor {
  /** Lower-triangular Cholesky factor of the (possibly repaired) correlation matrix. */
  factor: Float64Array;
  /** The correlation matrix actually factored. */
  correlation: Float64Array;
  /** True when the input was not PSD and was replaced by its nearest correlation matrix. */
  repaired: boolean;
}

/** Cholesky of a correlation matrix, repairing it to the nearest PSD correlation matrix when needed. */
export function choleskyRepaired(corr: ArrayLike<number>, n: number): RepairedFactor {
  const direct = cholesky(corr, n);
  const copy = Float64Array.from({ length: n * n }, (_, i) => corr[i] ?? 0);
  if (direct) return { factor: direct, correlation: copy, repaired: false };
  const fixed = nearestCorrelation(copy, n);
  const factor = cholesky(fixed, n);
  if (!factor)
    throw new ValidationError('correlation matrix could not be repaired to positive semi-definite');
  return { factor, correlation: fixed, repaired: true };
}

/**
 * Shifts every off-diagonal correlation by `shift` (stress regimes: a negative shift loosens, a
 * positive one tightens co-movement), clamped to [−0.999, 0.999].
 */
export function shiftCorrelation(corr: ArrayLike<number>, n: number, shift: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      out[i * n + j] = i === j ? 1 : Math.max(-0.999, Math.min(0.999, (corr[i * n + j] ?? 0) + shift));
    }
  }
  return out;
}
