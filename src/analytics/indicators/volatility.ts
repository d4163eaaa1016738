/**
 * Historical volatility: the SAMPLE standard deviation (divide by n−1) of the last `window` log returns,
 * annualised by √(periods per year) of the instrument's calendar:
 * equities/ETFs/indices trade 252 days a year, crypto and stablecoins 365, FX 260 days × 24 hours.
 * Warm-up: NaN at indexes 0 … window−1 (index 0 has no return); first value at index `window`.
 */
import type { AssetClass, Interval } from '../../core/types.ts';
import { INTERVAL_MS } from '../../core/types.ts';
import { RESYNC_MASK, RollingMoments, ringM2, ringSum } from './rolling-moments.ts';
import { checkFinite, checkPeriod, rejectNonFinite } from './validate.ts';

/** Common annualisation factors (multiply a per-period σ by these). */
export const ANNUALIZATION = Object.freeze({
  /** √252: daily bars of equities, ETFs and indices (trading days). */
  equityDaily: Math.sqrt(252),
  /** √365: daily bars of crypto and stablecoins (24/7 markets). */
  cryptoDaily: Math.sqrt(365),
  /** √(24·260): hourly FX bars (24 h × 260 weekdays). */
  fxHourly: Math.sqrt(24 * 260),
});

const HOUR_MS = 3_600_000;

/**
 * Bars per year for an asset class and bar interval. Equities count 6.5 trading hours a day for intraday
 * bars (a 1h session bar → 252 × 6.5), crypto 24 h × 365, FX 24 h × 260.
 */
export function periodsPerYear(assetClass: AssetClass, interval: Interval): number {
  const hours = INTERVAL_MS[interval] / HOUR_MS;
  switch (assetClass) {
    case 'crypto':
    case 'stablecoin':
      return interval === '1d' ? 365 : (365 * 24) / hours;
    case 'fx':
      return interval === '1d' ? 260 : (260 * 24) / hours;
    case 'equity':
    case 'etf':
    case 'index':
    case 'economic':
      return interval === '1d' ? 252 : (252 * 6.5) / hours;
  }
}

export function annualizationFactor(assetClass: AssetClass, interval: Interval): number {
  return Math.sqrt(periodsPerYear(assetClass, interval));
}

export function historicalVolatility(closes: ArrayLike<number>, window = 20, factor = 1): Float64Array {
  checkPeriod('historicalVolatility', 'window', window);
  if (window < 2) checkPeriod('historicalVolatility', 'window − 1', window - 1);
  const n = closes.length;
  const out = new Float64Array(n);
  out.fill(Number.NaN, 0, Math.min(window, n));
  if (n <= window) return out;
  const ring = new Float64Array(window);
  let sum = 0;
  let mean = 0;
  let m2 = 0;
  const d = window - 1;
  for (let i = 1; i <= window; i++) {
    const x = Math.log((closes[i] ?? Number.NaN) / (closes[i - 1] ?? Number.NaN));
    ring[i - 1] = x;
    if (i === 1) {
      sum = x;
      mean = x;
    } else {
      const old = mean;
      sum += x;
      mean = sum / i;
      m2 += (x - old) * (x - mean);
    }
  }
  out[window] = m2 > 0 ? Math.sqrt(m2 / d) * factor : 0;
  let slot = 0;
  let i = window + 1;
  while (i < n) {
    // Return index i − 1: a tight loop up to the next multiple of 1024, where sum and M2 are recomputed
    // exactly from the ring (see rolling-moments.ts), as the streaming class does.
    const next = Math.min(n, ((i - 1 + RESYNC_MASK) & ~RESYNC_MASK) + 1);
    for (; i < next; i++) {
      const x = Math.log((closes[i] ?? Number.NaN) / (closes[i - 1] ?? Number.NaN));
      const y = ring[slot] ?? Number.NaN;
      ring[slot] = x;
      slot = slot + 1 === window ? 0 : slot + 1;
      const old = mean;
      sum += x - y;
      mean = sum / window;
      m2 += (x - y) * (x - mean + y - old);
      out[i] = m2 > 0 ? Math.sqrt(m2 / d) * factor : 0;
    }
    if (i < n) {
      ring[slot] = Math.log((closes[i] ?? Number.NaN) / (closes[i - 1] ?? Number.NaN));
      slot = slot + 1 === window ? 0 : slot + 1;
      sum = ringSum(ring, slot);
      mean = sum / window;
      m2 = ringM2(ring, slot, mean);
      out[i] = m2 > 0 ? Math.sqrt(m2 / d) * factor : 0;
      i++;
    }
  }
  if (!Number.isFinite(m2)) rejectNonFinite('historicalVolatility (prices must be > 0)', { closes });
  return out;
}

/** Streaming historical volatility: exactly `historicalVolatility()` value by value. */
export class HistoricalVolatility {
  private readonly moments: RollingMoments;
  private prev = Number.NaN;
  private count = 0;

  constructor(
    readonly window = 20,
    readonly factor = 1,
  ) {
    checkPeriod('HistoricalVolatility', 'window', window);
    if (window < 2) checkPeriod('HistoricalVolatility', 'window − 1', window - 1);
    this.moments = new RollingMoments(window);
  }

  update(close: number): number | null {
    checkFinite('HistoricalVolatility', close);
    const prev = this.prev;
    this.prev = close;
    if (this.count++ === 0) return null;
    const m = this.moments;
    if (!m.push(Math.log(close / prev))) return null;
    return m.m2 > 0 ? Math.sqrt(m.m2 / (this.window - 1)) * this.factor : 0;
  }
}
