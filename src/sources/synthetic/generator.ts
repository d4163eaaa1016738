/**
 * Deterministic synthetic bars for offline mode and the demo, from the factor model in market.ts. A bar
 * depends only on (symbol, seed, time, the shipped samples): every run and every sub-range gives identical
 * bars, and all intervals share one path, so prices agree at common instants. Bar times follow the market
 * calendar (NYSE sessions and holidays, FX 24/5, crypto 24/7).
 *
 * Simplifications: daily bars span UTC days for every class (an equity's daily open is the previous
 * close, its close the day's); high/low come from the hourly path (daily bars) or the 5-minute path
 * (intraday bars of 5 minutes and more).
 */
import { expectedBarTimes } from '../../core/calendar.ts';
import { DAY_MS } from '../../core/time.ts';
import type { AssetClass, Bar, Instrument, Interval, TimeRange } from '../../core/types.ts';
import { INTERVAL_MS } from '../../core/types.ts';
import { type SeriesModel, SYNTHETIC_START, SyntheticMarket } from './market.ts';
import { TYPICAL_VOLUME } from './model.ts';
import { hash2, hashString, normalAt } from './random.ts';
import { loadRealSamples, type RealSamples } from './real-samples.ts';

export interface SyntheticOptions {
  /** Mixed into every draw: same seed, same bars. @defaultValue 0 */
  seed?: number;
  /** Real data the market is calibrated on and anchored to. @defaultValue the shipped samples/ */
  samples?: RealSamples;
}

const MINUTE = 60_000;
const HOURS = 24;
const markets = new Map<string, SyntheticMarket>();

/** The market for (samples, seed), built once per process. */
export function syntheticMarket(options: SyntheticOptions = {}): SyntheticMarket {
  const samples = options.samples ?? loadRealSamples();
  const seed = options.seed ?? 0;
  const key = `${seed}`;
  const hit = markets.get(key);
  if (hit && options.samples === undefined) return hit;
  const market = new SyntheticMarket(samples, seed);
  if (options.samples === undefined) markets.set(key, market);
  return market;
}

/** Asset classes with a synthetic market (economic series are not prices). */
export function syntheticSupports(assetClass: AssetClass): assetClass is Exclude<AssetClass, 'economic'> {
  return assetClass !== 'economic';
}

/** One instrument's synthetic prices. */
export class SyntheticSeries {
  private readonly model: SeriesModel;
  private readonly volumeLevel: number;
  private readonly volumeSeed: number;

  constructor(instrument: Instrument, options: SyntheticOptions = {}) {
    this.model = syntheticMarket(options).model(instrument);
    const cls = syntheticSupports(instrument.assetClass) ? instrument.assetClass : 'equity';
    this.volumeLevel = this.model.volume ?? TYPICAL_VOLUME[cls];
    this.volumeSeed = hash2(hashString(`volume:${instrument.symbol}`), options.seed ?? 0);
  }

  /** Price at whole minute `minute` (epoch minutes). */
  priceAtMinute(minute: number): number {
    let x = 0;
    for (const leg of this.model.legs) x += leg.sign * leg.path.logAtMinute(minute);
    return Math.exp(x);
  }

  /** Daily bar for the UTC day starting at `ts`; high/low from the hourly path between the closes. */
  dailyBar(ts: number): Bar {
    const day = Math.floor(ts / DAY_MS);
    const points = new Float64Array(HOURS + 1);
    for (const leg of this.model.legs) {
      const p = leg.path.hourPath(day);
      for (let k = 0; k <= HOURS; k += 1) points[k] = (points[k] ?? 0) + leg.sign * (p[k] ?? 0);
    }
    let high = Number.NEGATIVE_INFINITY;
    let low = Number.POSITIVE_INFINITY;
    for (const x of points) {
      if (x > high) high = x;
      if (x < low) low = x;
    }
    return {
      ts,
      open: Math.exp(points[0] ?? 0),
      high: Math.exp(high),
      low: Math.exp(low),
      close: Math.exp(points[HOURS] ?? 0),
      volume: this.volume(day, DAY_MS),
    };
  }

  /** Intraday bar opening at `ts` (a whole minute) lasting `stepMs`; high/low are the path's extremes. */
  intradayBar(ts: number, stepMs: number): Bar {
    const first = Math.floor(ts / MINUTE);
    const last = first + Math.round(stepMs / MINUTE);
    // Bars of 5 minutes or more scan the 5-minute path; 1-minute bars have only their two ends.
    const stride = stepMs >= 5 * MINUTE && first % 5 === 0 ? 5 : 1;
    const open = this.priceAtMinute(first);
    const close = this.priceAtMinute(last);
    let high = Math.max(open, close);
    let low = Math.min(open, close);
    for (let m = first + stride; m < last; m += stride) {
      const p = this.priceAtMinute(m);
      if (p > high) high = p;
      if (p < low) low = p;
    }
    return { ts, open, high, low, close, volume: this.volume(first, stepMs) };
  }

  private volume(key: number, stepMs: number): number {
    if (this.volumeLevel === 0) return 0;
    const z = normalAt(this.volumeSeed, key);
    return Math.round(this.volumeLevel * (stepMs / DAY_MS) * Math.exp(0.3 * z));
  }
}

/**
 * Bars of `instrument` at `interval` opening in `range`, on the calendar's expected bar times. Pure and
 * deterministic: the same (symbol, seed, range) always gives the same bars, and a sub-range gives the
 * matching slice. Economic instruments get none.
 */
export function syntheticBars(
  instrument: Instrument,
  interval: Interval,
  range: TimeRange,
  options: SyntheticOptions = {},
): Bar[] {
  if (!syntheticSupports(instrument.assetClass)) return [];
  const clipped = { from: Math.max(range.from, SYNTHETIC_START), to: range.to };
  const series = new SyntheticSeries(instrument, options);
  const stepMs = INTERVAL_MS[interval];
  return expectedBarTimes(instrument.assetClass, interval, clipped).map((ts) =>
    interval === '1d' ? series.dailyBar(ts) : series.intradayBar(ts, stepMs),
  );
}
