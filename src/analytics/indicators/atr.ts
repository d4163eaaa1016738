/**
 * Average true range with Wilder smoothing (TA-Lib `ATR`, default 14). True range from the second bar:
 * TR = max(high − low, |high − prevClose|, |low − prevClose|). The first ATR, at index `period`, is the mean
 * of TR[1 … period]; then atr ← (atr·(period−1) + TR) / period.
 * Warm-up: NaN at indexes 0 … period−1.
 */
import { checkFinite, checkPeriod, checkSameLength, rejectNonFinite } from './validate.ts';

export interface HighLowClose {
  high: number;
  low: number;
  close: number;
}

export function atr(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
): Float64Array {
  checkPeriod('atr', 'period', period);
  const n = checkSameLength('atr', { high, low, close });
  const out = new Float64Array(n);
  out.fill(Number.NaN, 0, Math.min(period, n));
  if (n <= period) return out;
  let sum = 0;
  let prevClose = close[0] ?? Number.NaN;
  for (let i = 1; i <= period; i++) {
    const h = high[i] ?? Number.NaN;
    const l = low[i] ?? Number.NaN;
    let tr = h - l;
    const a = Math.abs(prevClose - h);
    const b = Math.abs(l - prevClose);
    if (a > tr) tr = a;
    if (b > tr) tr = b;
    sum += tr;
    prevClose = close[i] ?? Number.NaN;
  }
  let value = sum / period;
  out[period] = value;
  const m = period - 1;
  for (let i = period + 1; i < n; i++) {
    const h = high[i] ?? Number.NaN;
    const l = low[i] ?? Number.NaN;
    let tr = h - l;
    const a = Math.abs(prevClose - h);
    const b = Math.abs(l - prevClose);
    if (a > tr) tr = a;
    if (b > tr) tr = b;
    value = (value * m + tr) / period;
    out[i] = value;
    prevClose = close[i] ?? Number.NaN;
  }
  if (!Number.isFinite(value)) rejectNonFinite('atr', { high, low, close });
  return out;
}

/** Streaming ATR: `update(bar)` returns exactly what `atr()` gives at that index. */
export class Atr {
  private count = 0;
  private sum = 0;
  private value = Number.NaN;
  private prevClose = Number.NaN;

  constructor(readonly period = 14) {
    checkPeriod('Atr', 'period', period);
  }

  update(bar: HighLowClose): number | null {
    checkFinite('Atr', bar.high);
    checkFinite('Atr', bar.low);
    checkFinite('Atr', bar.close);
    const i = this.count++;
    const prev = this.prevClose;
    this.prevClose = bar.close;
    if (i === 0) return null;
    let tr = bar.high - bar.low;
    const a = Math.abs(prev - bar.high);
    const b = Math.abs(bar.low - prev);
    if (a > tr) tr = a;
    if (b > tr) tr = b;
    const p = this.period;
    if (i < p) {
      this.sum += tr;
      return null;
    }
    if (i === p) {
      this.sum += tr;
      this.value = this.sum / p;
    } else {
      this.value = (this.value * (p - 1) + tr) / p;
    }
    return this.value;
  }
}
