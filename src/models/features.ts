/**
 * Depeg features from stored daily bars. A *depeg* here is a daily close more than `threshold` (1 %) away
 * from the peg. Each sample is one stablecoin on one day t: its features use only bars of days ≤ t (the
 * close of day t is known when the day ends), its label is whether day t+1 closes off peg. Nothing in
 * this file reads an index above t for a feature; `features.test.ts` and the walk-forward test prove it by
 * altering every later bar.
 */
import { at } from '../core/assert.ts';

const DAY_MS = 86_400_000;

/** One stablecoin's daily bars on the panel's day grid (NaN where no bar). */
interface CoinColumns {
  symbol: string;
  peg: number;
  close: Float64Array;
  high: Float64Array;
  low: Float64Array;
  volume: Float64Array;
}

/** Stablecoins and a market-stress series (BTC closes) aligned on one continuous UTC day grid. */
export interface DepegPanel {
  /** Day starts (epoch ms), one per UTC day, ascending, no gaps. */
  days: Float64Array;
  coins: CoinColumns[];
  /** BTC daily closes on the grid (NaN where missing); all NaN when the store has none. */
  btc: Float64Array;
}

export interface DailySeries {
  symbol: string;
  peg: number;
  ts: ArrayLike<number>;
  close: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  volume: ArrayLike<number>;
}

export const DEPEG_FEATURES = [
  'dev_abs',
  'dev_signed',
  'dev_max_7d',
  'dev_change_1d',
  'range_rel',
  'vol_7d',
  'volume_ratio_30d',
  'contagion_dev',
  'corr_14d',
  'btc_drawdown_30d',
  'btc_return_7d',
] as const;

/** Puts daily series on a continuous UTC day grid spanning all of the coins' bars. */
export function alignDaily(
  coins: readonly DailySeries[],
  btc: { ts: ArrayLike<number>; close: ArrayLike<number> } | null,
): DepegPanel {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const c of coins) {
    for (let i = 0; i < c.ts.length; i++) {
      const d = Math.floor((c.ts[i] as number) / DAY_MS) * DAY_MS;
      if (d < first) first = d;
      if (d > last) last = d;
    }
  }
  const n = Number.isFinite(first) ? Math.round((last - first) / DAY_MS) + 1 : 0;
  const days = new Float64Array(n);
  for (let i = 0; i < n; i++) days[i] = first + i * DAY_MS;
  const col = (ts: ArrayLike<number>, v: ArrayLike<number>): Float64Array => {
    const out = new Float64Array(n).fill(Number.NaN);
    for (let i = 0; i < ts.length; i++) {
      const k = Math.round((Math.floor((ts[i] as number) / DAY_MS) * DAY_MS - first) / DAY_MS);
      if (k >= 0 && k < n) out[k] = v[i] as number;
    }
    return out;
  };
  return {
    days,
    coins: coins.map((c) => ({
      symbol: c.symbol,
      peg: c.peg,
      close: col(c.ts, c.close),
      high: col(c.ts, c.high),
      low: col(c.ts, c.low),
      volume: col(c.ts, c.volume),
    })),
    btc: btc ? col(btc.ts, btc.close) : new Float64Array(n).fill(Number.NaN),
  };
}

export interface DepegSample {
  coin: string;
  /** Day start of day t (epoch ms). */
  ts: number;
  /** When the features are known: the end of day t. */
  knownAt: number;
  /** When the label is known: the end of day t+1. */
  labelAt: number;
  x: Float64Array;
  /** The recent path for sequence models: `PATH_STEPS` days (t−13..t) × `PATH_CHANNELS`, row-major. */
  path: Float64Array;
  /** 1 when day t+1 closes off peg, 0 when on peg, null when day t+1 has no bar yet. */
  y: 0 | 1 | null;
}

function dev(c: CoinColumns, t: number): number {
  return Math.abs((c.close[t] as number) / c.peg - 1);
}

function logReturn(v: Float64Array, t: number): number {
  const a = v[t - 1] as number;
  const b = v[t] as number;
  return t >= 1 && a > 0 && b > 0 ? Math.log(b / a) : Number.NaN;
}

function correlation(a: number[], b: number[]): number {
  const n = a.length;
  if (n < 3) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += (a[i] as number) / n;
    mb += (b[i] as number) / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** The feature vector of coin `k` on day `t` (reads indices ≤ t only). */
function depegFeatures(panel: DepegPanel, k: number, t: number): Float64Array {
  const c = panel.coins[k];
  if (!c) throw new RangeError(`no coin ${k} in the panel`);
  const x = new Float64Array(DEPEG_FEATURES.length);
  const d0 = dev(c, t);
  x[0] = d0;
  x[1] = (c.close[t] as number) / c.peg - 1;
  let dmax = d0;
  for (let j = Math.max(0, t - 6); j <= t; j++) if (dev(c, j) > dmax) dmax = dev(c, j);
  x[2] = dmax;
  const dPrev = t >= 1 ? dev(c, t - 1) : Number.NaN;
  x[3] = Number.isNaN(dPrev) ? 0 : d0 - dPrev;
  const range = ((c.high[t] as number) - (c.low[t] as number)) / c.peg;
  x[4] = Number.isFinite(range) ? range : 0;
  const rets: number[] = [];
  for (let j = Math.max(1, t - 6); j <= t; j++) {
    const r = logReturn(c.close, j);
    if (!Number.isNaN(r)) rets.push(r);
  }
  let m = 0;
  for (const r of rets) m += r / Math.max(1, rets.length);
  let v = 0;
  for (const r of rets) v += (r - m) ** 2 / Math.max(1, rets.length - 1);
  x[5] = rets.length >= 2 ? Math.sqrt(v) : 0;
  let vs = 0;
  let vn = 0;
  for (let j = Math.max(0, t - 29); j <= t; j++) {
    const vol = c.volume[j] as number;
    if (vol > 0) {
      vs += vol;
      vn++;
    }
  }
  const vt = c.volume[t] as number;
  x[6] = vn > 0 && vt > 0 ? Math.log(vt / (vs / vn)) : 0;
  let contagion = 0;
  let corrSum = 0;
  let corrN = 0;
  panel.coins.forEach((o, ko) => {
    if (ko === k) return;
    const od = dev(o, t);
    if (od > contagion) contagion = od;
    const a: number[] = [];
    const b: number[] = [];
    for (let j = Math.max(1, t - 13); j <= t; j++) {
      const ra = logReturn(c.close, j);
      const rb = logReturn(o.close, j);
      if (!Number.isNaN(ra) && !Number.isNaN(rb)) {
        a.push(ra);
        b.push(rb);
      }
    }
    if (a.length >= 3) {
      corrSum += correlation(a, b);
      corrN++;
    }
  });
  x[7] = contagion;
  x[8] = corrN > 0 ? corrSum / corrN : 0;
  let peak = Number.NaN;
  for (let j = Math.max(0, t - 29); j <= t; j++) {
    const p = panel.btc[j] as number;
    if (p > 0 && !(p <= peak)) peak = p;
  }
  const bt = panel.btc[t] as number;
  x[9] = bt > 0 && peak > 0 ? 1 - bt / peak : 0;
  const b7 = t >= 7 ? (panel.btc[t - 7] as number) : Number.NaN;
  x[10] = bt > 0 && b7 > 0 ? Math.log(bt / b7) : 0;
  return x;
}

/** Days and channels of a sample's `path`. */
export const PATH_STEPS = 14;
export const PATH_CHANNELS = 3;

/** Signed log scale of a fraction: 1 % → ±ln 2, 99 % → ±ln 100 (keeps a collapse and a wobble both visible). */
function slog(v: number): number {
  return Number.isFinite(v) ? Math.sign(v) * Math.log1p(100 * Math.abs(v)) : 0;
}

/**
 * The path channels of every coin on every day, one row per day (`PATH_CHANNELS` values, row-major): its
 * signed deviation from peg, the largest deviation of the other coins that day (contagion), BTC's daily
 * log return — each on the signed log scale; zeros on days without a bar. A sample's path is a window of
 * these rows, so they are computed once per panel rather than once per window they fall in (14×).
 */
function pathRows(panel: DepegPanel): Float64Array[] {
  const n = panel.days.length;
  return panel.coins.map((c, k) => {
    const rows = new Float64Array(n * PATH_CHANNELS);
    for (let j = 0; j < n; j++) {
      const close = c.close[j] as number;
      if (close > 0) rows[j * PATH_CHANNELS] = slog(close / c.peg - 1);
      let other = 0;
      panel.coins.forEach((o, ko) => {
        if (ko === k) return;
        const d = dev(o, j);
        if (d > other) other = d;
      });
      rows[j * PATH_CHANNELS + 1] = slog(other);
      const r = logReturn(panel.btc, j);
      rows[j * PATH_CHANNELS + 2] = Number.isNaN(r) ? 0 : slog(r);
    }
    return rows;
  });
}

/** The path of a coin over days t−13..t from its `pathRows` (reads rows ≤ t only; zeros before day 0). */
function depegPath(rows: Float64Array, t: number): Float64Array {
  const out = new Float64Array(PATH_STEPS * PATH_CHANNELS);
  const first = t - (PATH_STEPS - 1);
  const from = Math.max(0, first);
  out.set(rows.subarray(from * PATH_CHANNELS, (t + 1) * PATH_CHANNELS), (from - first) * PATH_CHANNELS);
  return out;
}

/**
 * Every (coin, day) with a close: labelled samples where day t+1 has a close, and the latest day of each
 * coin unlabelled (what `predict` scores). `threshold` is the off-peg fraction (0.01 = 1 %).
 */
export function depegSamples(panel: DepegPanel, threshold = 0.01): DepegSample[] {
  const out: DepegSample[] = [];
  const n = panel.days.length;
  const paths = pathRows(panel);
  for (let t = 0; t < n; t++) {
    panel.coins.forEach((c, k) => {
      if (!((c.close[t] as number) > 0)) return;
      const next = t + 1 < n ? (c.close[t + 1] as number) : Number.NaN;
      let y: 0 | 1 | null = null;
      if (next > 0) y = Math.abs(next / c.peg - 1) > threshold ? 1 : 0;
      else if (t + 1 < n) return; // a hole in the series: no label, and not the latest day either
      const ts = panel.days[t] as number;
      out.push({
        coin: c.symbol,
        ts,
        knownAt: ts + DAY_MS,
        labelAt: ts + 2 * DAY_MS,
        x: depegFeatures(panel, k, t),
        path: depegPath(at(paths, k, 'path rows'), t),
        y,
      });
    });
  }
  return out;
}
