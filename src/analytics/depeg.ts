/**
 * Depeg detection for pegged assets (stablecoins). The PEG is the price the asset is meant to hold
 * (`Instrument.pegTarget`, 1.0 for USD coins). A DEPEG EVENT starts at the first observation below
 * peg × (1 − threshold) and lasts while observations stay below; it ends at the first observation back at or
 * above that line (so a dip seen at one hourly point lasts one hour). Dips separated by less than
 * `mergeGapMs` are one event; events shorter than `minDurationMs` are dropped. An event still below the line
 * at the end of the data has `end = null` and lasts until the last observation.
 *
 * Recovery: from the event start until the first observation after the event's end within `recoveryBand`
 * of the peg (|p − peg| ≤ band·peg); null when the data ends first.
 *
 * Severity in [0, 1] = 0.7 · min(1, depth / 0.10) + 0.3 · min(1, ln(1 + hours) / ln(1 + 168)), where
 * depth = (peg − min price) / peg and hours = event duration: a 10 % drop takes the full depth weight, and
 * duration counts logarithmically up to one week. Depth dominates because losses at redemption scale with it.
 *
 * Works on irregular point series (CoinGecko prices) and on bars (pass the lows: the worst seen in each bar).
 */
import { at } from '../core/assert.ts';
import { ValidationError } from '../core/errors.ts';

const HOUR_MS = 3_600_000;

export interface DepegOptions {
  peg: number;
  /** Fraction below the peg that starts an event. @defaultValue 0.01 (below peg × 0.99) */
  threshold?: number;
  /** Dips closer than this (ms) merge into one event. @defaultValue 6 h */
  mergeGapMs?: number;
  /** Events shorter than this (ms) are dropped. @defaultValue 1 h */
  minDurationMs?: number;
  /** Recovered when within this fraction of the peg. @defaultValue 0.005 */
  recoveryBand?: number;
}

export interface DepegEvent {
  /** UTC epoch ms. */
  start: number;
  end: number | null;
  minPrice: number;
  minPriceAt: number;
  durationSeconds: number;
  recoveryTimeSeconds: number | null;
  severityScore: number;
}

export function severityScore(depth: number, durationSeconds: number): number {
  const hours = Math.max(durationSeconds, 0) / 3600;
  const d = Math.min(1, Math.max(depth, 0) / 0.1);
  const t = Math.min(1, Math.log1p(hours) / Math.log1p(168));
  return Math.min(1, Math.max(0, 0.7 * d + 0.3 * t));
}

interface Dip {
  start: number;
  /** Index of the first observation back above the line, or −1. */
  endIndex: number;
  minPrice: number;
  minPriceAt: number;
}

export function detectDepegs(
  ts: ArrayLike<number>,
  prices: ArrayLike<number>,
  options: DepegOptions,
): DepegEvent[] {
  const { peg } = options;
  const threshold = options.threshold ?? 0.01;
  const mergeGapMs = options.mergeGapMs ?? 6 * HOUR_MS;
  const minDurationMs = options.minDurationMs ?? HOUR_MS;
  const band = options.recoveryBand ?? 0.005;
  if (!(peg > 0)) throw new ValidationError(`depeg: peg must be > 0, got ${peg}`);
  if (!(threshold > 0 && threshold < 1))
    throw new ValidationError(`depeg: threshold must be in (0, 1), got ${threshold}`);
  if (ts.length !== prices.length) {
    throw new ValidationError(`depeg: ${ts.length} times but ${prices.length} prices`);
  }
  const n = ts.length;
  const line = peg * (1 - threshold);
  const dips: Dip[] = [];
  let current: Dip | null = null;
  let prevT = Number.NaN;
  for (let i = 0; i < n; i++) {
    const t = ts[i] ?? Number.NaN;
    const p = prices[i] ?? Number.NaN;
    if (!Number.isFinite(p)) throw new ValidationError(`depeg: price[${i}] is ${p}`);
    if (i > 0 && t <= prevT) throw new ValidationError(`depeg: times must ascend (index ${i})`);
    prevT = t;
    if (p < line) {
      if (!current) current = { start: t, endIndex: -1, minPrice: p, minPriceAt: t };
      else if (p < current.minPrice) {
        current.minPrice = p;
        current.minPriceAt = t;
      }
    } else if (current) {
      current.endIndex = i;
      dips.push(current);
      current = null;
    }
  }
  if (current) dips.push(current);

  // Merge dips separated by less than the gap.
  const merged: Dip[] = [];
  for (const dip of dips) {
    const last = merged[merged.length - 1];
    if (last && last.endIndex >= 0 && dip.start - at(ts, last.endIndex, 'ts') < mergeGapMs) {
      last.endIndex = dip.endIndex;
      if (dip.minPrice < last.minPrice) {
        last.minPrice = dip.minPrice;
        last.minPriceAt = dip.minPriceAt;
      }
    } else {
      merged.push({ ...dip });
    }
  }

  const lastTs = n > 0 ? at(ts, n - 1, 'ts') : 0;
  const events: DepegEvent[] = [];
  for (const dip of merged) {
    const end = dip.endIndex >= 0 ? at(ts, dip.endIndex, 'ts') : null;
    const durationMs = (end ?? lastTs) - dip.start;
    if (durationMs < minDurationMs) continue;
    let recovered: number | null = null;
    if (dip.endIndex >= 0) {
      for (let i = dip.endIndex; i < n; i++) {
        if (Math.abs((prices[i] ?? Number.NaN) - peg) <= band * peg) {
          recovered = at(ts, i, 'ts');
          break;
        }
      }
    }
    const durationSeconds = durationMs / 1000;
    events.push({
      start: dip.start,
      end,
      minPrice: dip.minPrice,
      minPriceAt: dip.minPriceAt,
      durationSeconds,
      recoveryTimeSeconds: recovered === null ? null : (recovered - dip.start) / 1000,
      severityScore: severityScore((peg - dip.minPrice) / peg, durationSeconds),
    });
  }
  return events;
}

/** Bars: an event is judged on each bar's LOW (the worst price traded in it), timed at the bar's open. */
export function detectDepegsFromBars(
  bars: { ts: ArrayLike<number>; low: ArrayLike<number> },
  options: DepegOptions,
): DepegEvent[] {
  return detectDepegs(bars.ts, bars.low, options);
}

export interface DepegStatistics {
  count: number;
  worstPrice: number | null;
  worstSeverity: number | null;
  avgDurationSeconds: number | null;
  /** Over recovered events only. */
  avgRecoveryTimeSeconds: number | null;
}

export function depegStatistics(events: readonly DepegEvent[]): DepegStatistics {
  if (events.length === 0) {
    return {
      count: 0,
      worstPrice: null,
      worstSeverity: null,
      avgDurationSeconds: null,
      avgRecoveryTimeSeconds: null,
    };
  }
  let worst = Number.POSITIVE_INFINITY;
  let severity = 0;
  let duration = 0;
  let recovery = 0;
  let recovered = 0;
  for (const e of events) {
    worst = Math.min(worst, e.minPrice);
    severity = Math.max(severity, e.severityScore);
    duration += e.durationSeconds;
    if (e.recoveryTimeSeconds !== null) {
      recovery += e.recoveryTimeSeconds;
      recovered++;
    }
  }
  return {
    count: events.length,
    worstPrice: worst,
    worstSeverity: severity,
    avgDurationSeconds: duration / events.length,
    avgRecoveryTimeSeconds: recovered > 0 ? recovery / recovered : null,
  };
}
