import { ValidationError } from '../core/errors.ts';

/**
 * Correlation-aware exposure: the effective gross exposure of signed weights w under correlation matrix C
 * is √(wᵀ C w) — the volatility-free analogue of portfolio risk, so two perfectly correlated longs count as
 * their sum and a long/short pair of them as nothing. Returns the factor (≤ 1) that brings it to `max`.
 */
function correlatedExposure(weights: ArrayLike<number>, corr: ArrayLike<ArrayLike<number>>): number {
  const n = weights.length;
  if (corr.length !== n)
    throw new ValidationError(`correlation matrix has ${corr.length} rows for ${n} weights`);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const row = corr[i];
    if (row === undefined || row.length !== n)
      throw new ValidationError(`correlation row ${i} must have ${n} values`);
    const wi = weights[i] ?? 0;
    for (let j = 0; j < n; j++) s += wi * (row[j] ?? 0) * (weights[j] ?? 0);
  }
  return Math.sqrt(Math.max(0, s));
}

export function exposureScale(
  weights: ArrayLike<number>,
  corr: ArrayLike<ArrayLike<number>>,
  max: number,
): number {
  const e = correlatedExposure(weights, corr);
  return e > max && e > 0 ? max / e : 1;
}
