/**
 * Deterministic synthetic markets for offline mode and the demo. Each instrument follows a log-price
 * Ornstein–Uhlenbeck walk around a slow trend (daily closes), with Brownian bridges between consecutive daily
 * closes for intraday prices, so a bar depends only on (symbol, seed, time): every run and every sub-range gives
 * identical bars. Bar times follow the market calendar (NYSE sessions and holidays, FX 24/5, crypto 24/7).
 *
 * Simplifications: daily bars span UTC days for every class (equity daily open/close are the UTC-midnight
 * prices, not the session's). All intervals share one path, so prices agree at common instants; high/low
 * come from the hourly path (daily bars) or the 5-minute path (intraday bars of 5 minutes and more).
 */
import { expectedBarTimes } from '../../core/calendar.ts';
import { DAY_MS } from '../../core/time.ts';
import type { AssetClass, Bar, Instrument, Interval, TimeRange } from '../../core/types.ts';
import { INTERVAL_MS } from '../../core/types.ts';
import {
  DEPEG_EPISODES,
  type DepegEpisode,
  depegFactor,
  KNOWN_LEVELS,
  WALK_PARAMS,
  type WalkParams,
} from './model.ts';
import { hash2, hashString, normalAt, uniformAt } from './random.ts';

export interface SyntheticOptions {
  /** Mixed with the symbol's hash: same seed, same bars. @defaultValue 0 */
  seed?: number;
  /** Replay the stablecoin depeg episodes in DEPEG_EPISODES. @defaultValue true */
  depegs?: boolean;
}

/** Walks start here; earlier times get no bars. */
export const SYNTHETIC_START = Date.UTC(1990, 0, 1);
const ANCHOR_DAY = SYNTHETIC_START / DAY_MS;
/** Day the level tables refer to. */
const LEVEL_DAY = Date.UTC(2024, 0, 1) / DAY_MS;
const MINUTE = 60_000;
const MINUTES_PER_DAY = 1440;

/** Asset classes with a synthetic market (economic series are not prices). */
export function syntheticSupports(assetClass: AssetClass): assetClass is Exclude<AssetClass, 'economic'> {
  return assetClass !== 'economic';
}

/**
 * Resolutions of the intraday path, coarse to fine. Each level is a Brownian bridge pinned at the level above,
 * so a price at a whole hour is the same whichever resolution asks for it (Lévy-style construction): hourly
 * bars need only the first two levels, 1-minute bars all three.
 */
const HOURS = 24;
const FIVES_PER_HOUR = 12;
const MINUTES_PER_FIVE = 5;
const FIVES_PER_DAY = HOURS * FIVES_PER_HOUR;

/** One instrument's deterministic price process. */
export class SyntheticWalk {
  private readonly params: WalkParams;
  private readonly seed: number;
  private readonly logBase: number;
  private readonly episodes: readonly DepegEpisode[];
  /** Ornstein–Uhlenbeck deviation from trend at the end of each day since ANCHOR_DAY. */
  private deviations = new Float64Array(0);
  private readonly hourPaths = new Map<number, Float64Array>();
  private readonly fivePaths = new Map<number, Float64Array>();
  private readonly minutePaths = new Map<number, Float64Array>();

  constructor(instrument: Instrument, options: SyntheticOptions = {}) {
    const assetClass = syntheticSupports(instrument.assetClass) ? instrument.assetClass : 'equity';
    this.params = WALK_PARAMS[assetClass];
    this.seed = hash2(hashString(instrument.symbol), options.seed ?? 0);
    this.logBase = Math.log(baseLevel(instrument, this.seed));
    this.episodes =
      options.depegs === false ? [] : DEPEG_EPISODES.filter((e) => e.symbol === instrument.symbol);
  }

  /** Log price at the end of UTC day index `day` (epoch days). */
  closeLog(day: number): number {
    const i = Math.max(0, day - ANCHOR_DAY);
    this.extend(i);
    return this.logBase + this.params.drift * (day - LEVEL_DAY) + (this.deviations[i] ?? 0);
  }

  /** Price at a whole minute `minute` (epoch minutes). */
  priceAtMinute(minute: number): number {
    return Math.exp(this.logAtMinute(minute)) * depegFactor(this.episodes, minute * MINUTE);
  }

  /** Intraday bar opening at `ts` (a whole minute) lasting `stepMs`; high/low are the path's extremes. */
  intradayBar(ts: number, stepMs: number): Bar {
    const first = Math.floor(ts / MINUTE);
    const last = first + Math.round(stepMs / MINUTE);
    // Bars of 5 minutes or more scan the 5-minute path; 1-minute bars have only their two ends.
    const stride =
      stepMs >= MINUTES_PER_FIVE * MINUTE && first % MINUTES_PER_FIVE === 0 ? MINUTES_PER_FIVE : 1;
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

  /** Daily bar for the UTC day starting at `ts`; high/low from the hourly path between the closes. */
  dailyBar(ts: number): Bar {
    const day = Math.floor(ts / DAY_MS);
    const path = this.hourPath(day);
    let high = Number.NEGATIVE_INFINITY;
    let low = Number.POSITIVE_INFINITY;
    path.forEach((x, k) => {
      const p = Math.exp(x) * depegFactor(this.episodes, ts + k * 3_600_000);
      if (p > high) high = p;
      if (p < low) low = p;
    });
    const open = Math.exp(path[0] ?? 0) * depegFactor(this.episodes, ts);
    const close = Math.exp(path[HOURS] ?? 0) * depegFactor(this.episodes, ts + DAY_MS);
    return { ts, open, high, low, close, volume: this.volume(day, DAY_MS) };
  }

  private logAtMinute(minute: number): number {
    const day = Math.floor(minute / MINUTES_PER_DAY);
    const k = minute - day * MINUTES_PER_DAY;
    if (k % 60 === 0) return this.hourPath(day)[k / 60] ?? 0;
    if (k % MINUTES_PER_FIVE === 0) return this.fivePath(day)[k / MINUTES_PER_FIVE] ?? 0;
    return this.minutePath(day)[k] ?? 0;
  }

  private volume(key: number, stepMs: number): number {
    if (this.params.volume === 0) return 0;
    const z = normalAt(hash2(this.seed, 3), key);
    return Math.round(this.params.volume * (stepMs / DAY_MS) * Math.exp(0.3 * z));
  }

  /** 25 hourly log prices across `day`, pinned to the two daily closes. */
  private hourPath(day: number): Float64Array {
    return cached(this.hourPaths, day, () => {
      const path = new Float64Array(HOURS + 1);
      const sigma = this.params.dailyVol / Math.sqrt(HOURS);
      fillBridge(
        path,
        0,
        HOURS,
        this.closeLog(day - 1),
        this.closeLog(day),
        sigma,
        hash2(this.seed, 101),
        day * HOURS,
      );
      return path;
    });
  }

  /** 289 five-minute log prices across `day`, pinned to the hourly path. */
  private fivePath(day: number): Float64Array {
    return cached(this.fivePaths, day, () => {
      const hours = this.hourPath(day);
      const path = new Float64Array(FIVES_PER_DAY + 1);
      const sigma = this.params.dailyVol / Math.sqrt(FIVES_PER_DAY);
      const seed = hash2(this.seed, 102);
      for (let h = 0; h < HOURS; h += 1) {
        const i = h * FIVES_PER_HOUR;
        fillBridge(
          path,
          i,
          FIVES_PER_HOUR,
          hours[h] ?? 0,
          hours[h + 1] ?? 0,
          sigma,
          seed,
          day * FIVES_PER_DAY + i,
        );
      }
      return path;
    });
  }

  /** 1441 one-minute log prices across `day`, pinned to the five-minute path. */
  private minutePath(day: number): Float64Array {
    return cached(this.minutePaths, day, () => {
      const fives = this.fivePath(day);
      const path = new Float64Array(MINUTES_PER_DAY + 1);
      const sigma = this.params.dailyVol / Math.sqrt(MINUTES_PER_DAY);
      const seed = hash2(this.seed, 103);
      for (let f = 0; f < FIVES_PER_DAY; f += 1) {
        const i = f * MINUTES_PER_FIVE;
        fillBridge(
          path,
          i,
          MINUTES_PER_FIVE,
          fives[f] ?? 0,
          fives[f + 1] ?? 0,
          sigma,
          seed,
          day * MINUTES_PER_DAY + i,
        );
      }
      return path;
    });
  }

  private extend(index: number): void {
    if (index < this.deviations.length) return;
    const next = new Float64Array(Math.max(index + 1, this.deviations.length * 2, 16_384));
    next.set(this.deviations);
    const { dailyVol, reversion } = this.params;
    const seed = hash2(this.seed, 1);
    for (let i = Math.max(1, this.deviations.length); i < next.length; i += 1) {
      next[i] = (1 - reversion) * (next[i - 1] ?? 0) + dailyVol * normalAt(seed, i);
    }
    this.deviations = next;
  }
}

/** Per-day cache bounded to a few days (walks move forward through time). */
function cached(cache: Map<number, Float64Array>, day: number, build: () => Float64Array): Float64Array {
  const hit = cache.get(day);
  if (hit !== undefined) return hit;
  const value = build();
  if (cache.size > 8) cache.clear();
  cache.set(day, value);
  return value;
}

/**
 * Writes a Brownian bridge of `steps` steps (step sd `sigma`) from `start` to `end` into
 * `path[offset … offset + steps]`, drawing normals (seed, key + k).
 */
function fillBridge(
  path: Float64Array,
  offset: number,
  steps: number,
  start: number,
  end: number,
  sigma: number,
  seed: number,
  key: number,
): void {
  let walk = 0;
  const walks = new Float64Array(steps + 1);
  for (let k = 1; k <= steps; k += 1) {
    walk += sigma * normalAt(seed, key + k);
    walks[k] = walk;
  }
  for (let k = 0; k <= steps; k += 1) {
    const f = k / steps;
    path[offset + k] = start + f * (end - start) + (walks[k] ?? 0) - f * walk;
  }
}

function baseLevel(instrument: Instrument, seed: number): number {
  if (instrument.pegTarget != null) return instrument.pegTarget;
  if (instrument.assetClass === 'stablecoin') return 1;
  const known = KNOWN_LEVELS[instrument.symbol];
  if (known !== undefined) return known;
  const u = uniformAt(seed, 7);
  // Log-uniform levels by class: equities $10–$500, crypto $0.1–$1000, FX 0.5–2.
  switch (instrument.assetClass) {
    case 'crypto':
      return 0.1 * 10_000 ** u;
    case 'fx':
      return 0.5 * 4 ** u;
    default:
      return 10 * 50 ** u;
  }
}

/**
 * Bars of `instrument` at `interval` opening in `range`, on the calendar's expected bar times. Pure and
 * deterministic: the same (symbol, seed, range) always gives the same bars, and a sub-range gives the matching
 * slice. Economic instruments get none.
 */
export function syntheticBars(
  instrument: Instrument,
  interval: Interval,
  range: TimeRange,
  options: SyntheticOptions = {},
): Bar[] {
  if (!syntheticSupports(instrument.assetClass)) return [];
  const clipped = { from: Math.max(range.from, SYNTHETIC_START), to: range.to };
  const walk = new SyntheticWalk(instrument, options);
  const stepMs = INTERVAL_MS[interval];
  return expectedBarTimes(instrument.assetClass, interval, clipped).map((ts) =>
    interval === '1d' ? walk.dailyBar(ts) : walk.intradayBar(ts, stepMs),
  );
}
