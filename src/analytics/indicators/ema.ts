/**
 * Exponential moving average, TA-Lib convention: smoothing k = 2 / (period + 1), seeded by the SMA of the
 * first `period` values, then e ← (x − e)·k + e (TA-Lib's operation order).
 * Warm-up: NaN at indexes 0 … period−2; first value (the seed SMA) at index period−1.
 */
import { checkFinite, checkPeriod, rejectNonFinite } from './validate.ts';

/**
 * Writes an EMA of `src` into `out`, seeded at index `from + period − 1` with the mean of
 * `src[from … from+period−1]`. Indexes before the seed are left untouched. Returns the last EMA value
 * (NaN when the series is too short). Shared with MACD, whose EMAs start at offsets.
 */
function emaInto(src: ArrayLike<number>, from: number, period: number, k: number, out: Float64Array): number {
  const n = src.length;
  const seedAt = from + period - 1;
  if (seedAt >= n) return Number.NaN;
  let sum = 0;
  for (let i = from; i <= seedAt; i++) sum += src[i] ?? Number.NaN;
  let e = sum / period;
  out[seedAt] = e;
  for (let i = seedAt + 1; i < n; i++) {
    e = ((src[i] ?? Number.NaN) - e) * k + e;
    out[i] = e;
  }
  return e;
}

export function ema(values: ArrayLike<number>, period: number): Float64Array {
  checkPeriod('ema', 'period', period);
  const out = new Float64Array(values.length);
  out.fill(Number.NaN, 0, Math.min(period - 1, values.length));
  const last = emaInto(values, 0, period, 2 / (period + 1), out);
  if (values.length >= period && !Number.isFinite(last)) rejectNonFinite('ema', { values });
  return out;
}

/** Streaming EMA: exactly `ema()` value by value. */
export class Ema {
  private readonly k: number;
  private sum = 0;
  private count = 0;
  private value = Number.NaN;

  constructor(readonly period: number) {
    checkPeriod('Ema', 'period', period);
    this.k = 2 / (period + 1);
  }

  update(x: number): number | null {
    checkFinite('Ema', x);
    this.count++;
    if (this.count < this.period) {
      this.sum += x;
      return null;
    }
    if (this.count === this.period) {
      this.sum += x;
      this.value = this.sum / this.period;
    } else {
      this.value = (x - this.value) * this.k + this.value;
    }
    return this.value;
  }
}
