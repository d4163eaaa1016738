/**
 * Relative strength index with Wilder smoothing (TA-Lib `RSI`). Over the first `period` changes the average
 * gain and loss are plain means; after that avg ← (avg·(period−1) + change) / period. RSI = 100·gain/(gain+loss).
 * When gain + loss is exactly 0 (a flat series) the value is 0, as TA-Lib (which tests |x| < 1e-8; we test
 * exact zero so that assets priced in fractions of a cent keep their RSI).
 * Warm-up: NaN at indexes 0 … period−1; first value at index `period`.
 */
import { checkFinite, checkPeriod, rejectNonFinite } from './validate.ts';

export function rsi(values: ArrayLike<number>, period = 14): Float64Array {
  checkPeriod('rsi', 'period', period);
  const n = values.length;
  const out = new Float64Array(n);
  out.fill(Number.NaN, 0, Math.min(period, n));
  if (n <= period) return out;
  let gain = 0;
  let loss = 0;
  let prev = values[0] ?? Number.NaN;
  for (let i = 1; i <= period; i++) {
    const x = values[i] ?? Number.NaN;
    const d = x - prev;
    prev = x;
    if (d < 0) loss -= d;
    else gain += d;
  }
  gain /= period;
  loss /= period;
  let t = gain + loss;
  out[period] = t !== 0 ? 100 * (gain / t) : 0;
  const m = period - 1;
  for (let i = period + 1; i < n; i++) {
    const x = values[i] ?? Number.NaN;
    const d = x - prev;
    prev = x;
    gain *= m;
    loss *= m;
    if (d < 0) loss -= d;
    else gain += d;
    gain /= period;
    loss /= period;
    t = gain + loss;
    out[i] = t !== 0 ? 100 * (gain / t) : 0;
  }
  if (!Number.isFinite(t)) rejectNonFinite('rsi', { values });
  return out;
}

/** Streaming Wilder RSI: exactly `rsi()` value by value. */
export class Rsi {
  private gain = 0;
  private loss = 0;
  private prev = Number.NaN;
  private count = 0;

  constructor(readonly period = 14) {
    checkPeriod('Rsi', 'period', period);
  }

  update(x: number): number | null {
    checkFinite('Rsi', x);
    const p = this.period;
    const c = this.count++;
    if (c === 0) {
      this.prev = x;
      return null;
    }
    const d = x - this.prev;
    this.prev = x;
    if (c > p) {
      this.gain *= p - 1;
      this.loss *= p - 1;
    }
    if (d < 0) this.loss -= d;
    else this.gain += d;
    if (c < p) return null;
    this.gain /= p;
    this.loss /= p;
    const t = this.gain + this.loss;
    return t !== 0 ? 100 * (this.gain / t) : 0;
  }
}
