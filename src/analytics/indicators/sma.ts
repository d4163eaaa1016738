/**
 * Simple moving average (TA-Lib `SMA`): mean of the last `period` values.
 * Warm-up: NaN at indexes 0 … period−2; first value at index period−1.
 */
import { RESYNC_MASK, ringSum } from './rolling-moments.ts';
import { checkFinite, checkPeriod, rejectNonFinite } from './validate.ts';

export function sma(values: ArrayLike<number>, period: number): Float64Array {
  checkPeriod('sma', 'period', period);
  const n = values.length;
  const out = new Float64Array(n);
  let sum = 0;
  const warm = Math.min(period - 1, n);
  for (let i = 0; i < warm; i++) {
    sum += values[i] ?? Number.NaN;
    out[i] = Number.NaN;
  }
  if (n < period) return out;
  sum += values[period - 1] ?? Number.NaN;
  out[period - 1] = sum / period;
  let i = period;
  while (i < n) {
    // A tight loop up to the next multiple of 1024, where the sum is recomputed exactly to drop the
    // rounding drift of the running sum (see rolling-moments.ts).
    const next = Math.min(n, (i + RESYNC_MASK) & ~RESYNC_MASK);
    for (; i < next; i++) {
      sum += (values[i] ?? Number.NaN) - (values[i - period] ?? Number.NaN);
      out[i] = sum / period;
    }
    if (i < n) {
      sum = 0;
      for (let j = i - period + 1; j <= i; j++) sum += values[j] ?? Number.NaN;
      out[i] = sum / period;
      i++;
    }
  }
  if (!Number.isFinite(sum)) rejectNonFinite('sma', { values });
  return out;
}

/** Streaming SMA: `update(x)` is O(1) and returns exactly what `sma()` gives at that index. */
export class Sma {
  private readonly ring: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(readonly period: number) {
    checkPeriod('Sma', 'period', period);
    this.ring = new Float64Array(period);
  }

  update(value: number): number | null {
    checkFinite('Sma', value);
    const p = this.period;
    const slot = this.count % p;
    if (this.count < p) this.sum += value;
    else this.sum += value - (this.ring[slot] ?? Number.NaN);
    this.ring[slot] = value;
    this.count++;
    if (this.count > p && ((this.count - 1) & RESYNC_MASK) === 0)
      this.sum = ringSum(this.ring, this.count % p);
    return this.count < p ? null : this.sum / p;
  }
}
