/**
 * One anchored log-price process: daily closes from the factor model, pulled onto the real closes where
 * the samples have them (the difference is interpolated between real days, so a synthetic stretch joins
 * the real ones on both sides), and intraday paths that are Brownian bridges between consecutive closes.
 * Each level refines the one above (hours → 5 minutes → minutes), so a price at a given instant is the same
 * whichever resolution asks for it. All draws are counter-based: pure functions of (seed, time).
 */
import { DAY_MS } from '../../core/time.ts';
import { normalAt } from './random.ts';

export const HOUR_MS = 3_600_000;
const MINUTES_PER_DAY = 1440;
const HOURS = 24;
const FIVES_PER_HOUR = 12;
const FIVES_PER_DAY = HOURS * FIVES_PER_HOUR;

/** A standard Brownian bridge over one day in 24 unit-variance steps, pinned to 0 at both ends. */
export function unitBridge(seed: number, day: number, steps = HOURS): Float64Array {
  const out = new Float64Array(steps + 1);
  let walk = 0;
  for (let k = 1; k <= steps; k += 1) {
    walk += normalAt(seed, day * steps + k);
    out[k] = walk;
  }
  for (let k = 1; k <= steps; k += 1) out[k] = (out[k] ?? 0) - (k / steps) * walk;
  return out;
}

/** Shared intraday shape: `scale` × a day's unit bridge, added to the hour path. */
export interface HourShape {
  scale: number;
  bridge(day: number): Float64Array;
}

export interface PathInit {
  /** Log closes by day index from `originDay` (end of each UTC day). */
  closes: Float64Array;
  originDay: number;
  /** Seed of the path's own intraday noise. */
  seed: number;
  /** Own (idiosyncratic) daily sd, spread over the day's hours. */
  ownVol: number;
  /** Total daily sd (for the sub-hour paths). */
  totalVol: number;
  /** Common intraday shapes (factor bridges times loadings). */
  shapes: readonly HourShape[];
  /** Real log prices at whole hours (instant → log price) that the hour path must pass through. */
  hourAnchors?: ReadonlyMap<number, number>;
}

export class Path {
  private readonly hourPaths = new Map<number, Float64Array>();
  private readonly fivePaths = new Map<number, Float64Array>();
  private readonly minutePaths = new Map<number, Float64Array>();

  constructor(private readonly init: PathInit) {}

  /** Log close at the end of UTC day `day` (epoch days); clamped to the computed span. */
  closeLog(day: number): number {
    const { closes, originDay } = this.init;
    const i = Math.min(Math.max(day - originDay, 0), closes.length - 1);
    return closes[i] ?? 0;
  }

  /** 25 hourly log prices across `day` (k = 0 is the previous close, k = 24 this day's close). */
  hourPath(day: number): Float64Array {
    return cached(this.hourPaths, day, () => {
      const start = this.closeLog(day - 1);
      const end = this.closeLog(day);
      const own = unitBridge(this.init.seed, day);
      const ownScale = this.init.ownVol / Math.sqrt(HOURS);
      const shapes = this.init.shapes.map((s) => ({ scale: s.scale / Math.sqrt(HOURS), b: s.bridge(day) }));
      const path = new Float64Array(HOURS + 1);
      for (let k = 0; k <= HOURS; k += 1) {
        let x = start + (k / HOURS) * (end - start) + ownScale * (own[k] ?? 0);
        for (const s of shapes) x += s.scale * (s.b[k] ?? 0);
        path[k] = x;
      }
      const anchors = this.init.hourAnchors;
      if (anchors) {
        for (let k = 0; k <= HOURS; k += 1) {
          const a = anchors.get(day * DAY_MS + k * HOUR_MS);
          if (a !== undefined) path[k] = a;
        }
      }
      return path;
    });
  }

  /** Log price at whole minute `minute` (epoch minutes). */
  logAtMinute(minute: number): number {
    const day = Math.floor(minute / MINUTES_PER_DAY);
    const k = minute - day * MINUTES_PER_DAY;
    if (k % 60 === 0) return this.hourPath(day)[k / 60] ?? 0;
    if (k % 5 === 0) return this.fivePath(day)[k / 5] ?? 0;
    return this.minutePath(day)[k] ?? 0;
  }

  private fivePath(day: number): Float64Array {
    return cached(this.fivePaths, day, () =>
      refine(this.hourPath(day), FIVES_PER_HOUR, this.init.totalVol / Math.sqrt(FIVES_PER_DAY), {
        seed: this.init.seed ^ 0x5f5f,
        key: day * FIVES_PER_DAY,
      }),
    );
  }

  private minutePath(day: number): Float64Array {
    return cached(this.minutePaths, day, () =>
      refine(this.fivePath(day), 5, this.init.totalVol / Math.sqrt(MINUTES_PER_DAY), {
        seed: this.init.seed ^ 0x1111,
        key: day * MINUTES_PER_DAY,
      }),
    );
  }
}

/** Splits each step of `coarse` into `per` steps by Brownian bridges of step sd `sigma`. */
function refine(
  coarse: Float64Array,
  per: number,
  sigma: number,
  draw: { seed: number; key: number },
): Float64Array {
  const steps = coarse.length - 1;
  const out = new Float64Array(steps * per + 1);
  const walks = new Float64Array(per + 1);
  for (let s = 0; s < steps; s += 1) {
    const a = coarse[s] ?? 0;
    const b = coarse[s + 1] ?? 0;
    let walk = 0;
    for (let k = 1; k <= per; k += 1) {
      walk += sigma * normalAt(draw.seed, draw.key + s * per + k);
      walks[k] = walk;
    }
    for (let k = 0; k <= per; k += 1) {
      const f = k / per;
      out[s * per + k] = a + f * (b - a) + (walks[k] ?? 0) - f * walk;
    }
  }
  return out;
}

/** Per-day cache bounded to a few days (generation walks forward through time). */
function cached<T>(cache: Map<number, T>, day: number, build: () => T): T {
  const hit = cache.get(day);
  if (hit !== undefined) return hit;
  const value = build();
  if (cache.size > 8) cache.clear();
  cache.set(day, value);
  return value;
}
