/**
 * Bollinger Bands (TA-Lib `BBANDS` with an SMA middle): middle = SMA(period), bands = middle ± k·σ with σ the
 * POPULATION standard deviation of the window (divide by n). Defaults 20 and 2.
 * Warm-up: NaN at indexes 0 … period−2. σ comes from a running M2 (see rolling-moments.ts), clamped at 0.
 */
import { RESYNC_MASK, RollingMoments } from './rolling-moments.ts';
import { checkFinite, checkPeriod, rejectNonFinite } from './validate.ts';

export interface BollingerSeries {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
}

export interface BollingerValue {
  upper: number;
  middle: number;
  lower: number;
}

export function bollinger(values: ArrayLike<number>, period = 20, k = 2): BollingerSeries {
  checkPeriod('bollinger', 'period', period);
  const n = values.length;
  const upper = new Float64Array(n);
  const middle = new Float64Array(n);
  const lower = new Float64Array(n);
  const warm = Math.min(period - 1, n);
  upper.fill(Number.NaN, 0, warm);
  middle.fill(Number.NaN, 0, warm);
  lower.fill(Number.NaN, 0, warm);
  if (n < period) return { upper, middle, lower };
  let sum = values[0] ?? Number.NaN;
  let mean = sum;
  let m2 = 0;
  for (let i = 1; i < period; i++) {
    const x = values[i] ?? Number.NaN;
    const old = mean;
    sum += x;
    mean = sum / (i + 1);
    m2 += (x - old) * (x - mean);
  }
  let sd = m2 > 0 ? Math.sqrt(m2 / period) * k : 0;
  middle[period - 1] = mean;
  upper[period - 1] = mean + sd;
  lower[period - 1] = mean - sd;
  let i = period;
  while (i < n) {
    // A tight loop up to the next multiple of 1024, where sum and M2 are recomputed exactly (see
    // rolling-moments.ts); the streaming class does the same at the same indexes.
    const next = Math.min(n, (i + RESYNC_MASK) & ~RESYNC_MASK);
    for (; i < next; i++) {
      const x = values[i] ?? Number.NaN;
      const y = values[i - period] ?? Number.NaN;
      const old = mean;
      sum += x - y;
      mean = sum / period;
      m2 += (x - y) * (x - mean + y - old);
      sd = m2 > 0 ? Math.sqrt(m2 / period) * k : 0;
      middle[i] = mean;
      upper[i] = mean + sd;
      lower[i] = mean - sd;
    }
    if (i < n) {
      sum = 0;
      for (let j = i - period + 1; j <= i; j++) sum += values[j] ?? Number.NaN;
      mean = sum / period;
      m2 = 0;
      for (let j = i - period + 1; j <= i; j++) {
        const d = (values[j] ?? Number.NaN) - mean;
        m2 += d * d;
      }
      sd = m2 > 0 ? Math.sqrt(m2 / period) * k : 0;
      middle[i] = mean;
      upper[i] = mean + sd;
      lower[i] = mean - sd;
      i++;
    }
  }
  if (!Number.isFinite(m2)) rejectNonFinite('bollinger', { values });
  return { upper, middle, lower };
}

/** Streaming Bollinger Bands: exactly `bollinger()` value by value. */
export class Bollinger {
  private readonly moments: RollingMoments;

  constructor(
    readonly period = 20,
    readonly k = 2,
  ) {
    checkPeriod('Bollinger', 'period', period);
    this.moments = new RollingMoments(period);
  }

  update(x: number): BollingerValue | null {
    checkFinite('Bollinger', x);
    const m = this.moments;
    if (!m.push(x)) return null;
    const sd = m.m2 > 0 ? Math.sqrt(m.m2 / this.period) * this.k : 0;
    return { upper: m.mean + sd, middle: m.mean, lower: m.mean - sd };
  }
}
