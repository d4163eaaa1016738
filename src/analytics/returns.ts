/**
 * Period-over-period returns. Both have NaN at index 0 (no previous value).
 * simple: r[i] = v[i] / v[i−1] − 1 · log: r[i] = ln(v[i] / v[i−1]).
 */
import { rejectNonFinite } from './indicators/validate.ts';

export function simpleReturns(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  out[0] = Number.NaN;
  let check = 0;
  for (let i = 1; i < n; i++) {
    const r = (values[i] ?? Number.NaN) / (values[i - 1] ?? Number.NaN) - 1;
    out[i] = r;
    check += r;
  }
  if (!Number.isFinite(check)) rejectNonFinite('simpleReturns', { values });
  return out;
}

export function logReturns(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  out[0] = Number.NaN;
  let check = 0;
  for (let i = 1; i < n; i++) {
    const r = Math.log((values[i] ?? Number.NaN) / (values[i - 1] ?? Number.NaN));
    out[i] = r;
    check += r;
  }
  if (!Number.isFinite(check)) rejectNonFinite('logReturns (prices must be > 0)', { values });
  return out;
}
