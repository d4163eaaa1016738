/**
 * Price adjustment for splits and dividends, applied when bars are read: stored bars stay raw.
 *
 * Modes (the words of backtesting platforms):
 * - `raw`: as traded.
 * - `split`: prices before each split's ex-date multiplied by from/to (a 10-for-1 split divides earlier prices
 *   by 10) and volumes by to/from, so a split is never a −90 % day.
 * - `adjusted`: splits and cash dividends, backward (the CRSP / Yahoo "Adj Close" method): prices before an
 *   ex-date are multiplied by `1 − dividend / previous close`. The latest price equals the traded price.
 * - `total-return`: the same returns as `adjusted`, anchored at the first bar instead of the last: the value
 *   of one share bought at the first close with every dividend reinvested on its ex-date.
 *
 * An event applies to every bar whose `ts` is before the ex-date's 00:00 UTC (daily bars are keyed at 00:00
 * UTC of their trading date, so the ex-date's own bar is already ex).
 */
import type { Bar } from '../core/types.ts';

export const ADJUST_MODES = ['raw', 'split', 'adjusted', 'total-return'] as const;
export type AdjustMode = (typeof ADJUST_MODES)[number];

export function isAdjustMode(value: string): value is AdjustMode {
  return (ADJUST_MODES as readonly string[]).includes(value);
}

export interface CorporateActions {
  /** `splitTo` new shares per `splitFrom` old ones; exDate YYYY-MM-DD. */
  splits: ReadonlyArray<{ exDate: string; splitFrom: number; splitTo: number }>;
  /** Cash per share, in the share count of the time (not split-adjusted). */
  dividends: ReadonlyArray<{ exDate: string; amount: number }>;
}

interface Step {
  at: number;
  /** Multiplier for prices before `at`; undefined for a dividend until its previous close is known. */
  price: number;
  volume: number;
}

const exMs = (date: string): number => Date.parse(`${date}T00:00:00Z`);

/**
 * Per bar, the multipliers for prices and volumes (`bars` ascending by ts). Dividends without a bar before
 * their ex-date, or worth at least the previous close, are ignored (they cannot be expressed as a factor).
 */
export function adjustmentFactors(
  bars: readonly Bar[],
  actions: CorporateActions,
  mode: AdjustMode,
): { price: Float64Array; volume: Float64Array } {
  return factors(
    bars.length,
    (i) => bars[i]?.ts ?? 0,
    (i) => bars[i]?.close ?? Number.NaN,
    actions,
    mode,
  );
}

function factors(
  n: number,
  tsAt: (i: number) => number,
  closeAt: (i: number) => number,
  actions: CorporateActions,
  mode: AdjustMode,
): { price: Float64Array; volume: Float64Array } {
  const price = new Float64Array(n).fill(1);
  const volume = new Float64Array(n).fill(1);
  if (mode === 'raw' || n === 0) return { price, volume };
  const steps: Step[] = [];
  for (const s of actions.splits) {
    if (s.splitFrom > 0 && s.splitTo > 0)
      steps.push({ at: exMs(s.exDate), price: s.splitFrom / s.splitTo, volume: s.splitTo / s.splitFrom });
  }
  if (mode !== 'split') {
    for (const d of actions.dividends) {
      const at = exMs(d.exDate);
      const before = lastIndexBefore(n, tsAt, at);
      const prevClose = before < 0 ? Number.NaN : closeAt(before);
      const f = 1 - d.amount / prevClose;
      if (Number.isFinite(f) && f > 0 && f <= 1) steps.push({ at, price: f, volume: 1 });
    }
  }
  steps.sort((a, b) => b.at - a.at);
  let p = 1;
  let v = 1;
  let k = 0;
  for (let i = n - 1; i >= 0; i--) {
    const ts = tsAt(i);
    for (let step = steps[k]; step !== undefined && step.at > ts; step = steps[++k]) {
      p *= step.price;
      v *= step.volume;
    }
    price[i] = p;
    volume[i] = v;
  }
  if (mode === 'total-return') {
    const first = price[0] ?? 1;
    for (let i = 0; i < n; i++) price[i] = (price[i] ?? 1) / first;
    const firstV = volume[0] ?? 1;
    for (let i = 0; i < n; i++) volume[i] = (volume[i] ?? 1) / firstV;
  }
  return { price, volume };
}

function lastIndexBefore(n: number, tsAt: (i: number) => number, at: number): number {
  let lo = 0;
  let hi = n - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tsAt(mid) < at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Bar columns as `readBarColumns` returns them (epoch-ms `ts`, ascending). */
export interface BarColumns {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** Columnar `adjustBars` for the analytics and the backtester: new arrays, the input is not changed. */
export function adjustColumns(cols: BarColumns, actions: CorporateActions, mode: AdjustMode): BarColumns {
  const n = cols.ts.length;
  const { price, volume } = factors(
    n,
    (i) => cols.ts[i] ?? 0,
    (i) => cols.close[i] ?? Number.NaN,
    actions,
    mode,
  );
  const scale = (xs: Float64Array, f: Float64Array) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = (xs[i] ?? Number.NaN) * (f[i] ?? 1);
    return out;
  };
  return {
    ts: cols.ts.slice(),
    open: scale(cols.open, price),
    high: scale(cols.high, price),
    low: scale(cols.low, price),
    close: scale(cols.close, price),
    volume: scale(cols.volume, volume),
  };
}

const BAR_KEYS = 6; // ts open high low close volume

/** `bars` (ascending) adjusted for `actions` in `mode`; new objects, the input is not changed. */
export function adjustBars<T extends Bar>(
  bars: readonly T[],
  actions: CorporateActions,
  mode: AdjustMode,
): T[] {
  if (mode === 'raw') return bars.map((b) => ({ ...b }));
  const { price, volume } = adjustmentFactors(bars, actions, mode);
  const n = bars.length;
  const out: T[] = new Array(n);
  // Plain bars (only the six fields) are rebuilt as literals: 4× faster than spreading each object.
  const plain = n > 0 && Object.keys(bars[0] as T).length === BAR_KEYS;
  for (let i = 0; i < n; i++) {
    const b = bars[i] as T;
    const f = price[i] ?? 1;
    const v = b.volume * (volume[i] ?? 1);
    out[i] = plain
      ? ({ ts: b.ts, open: b.open * f, high: b.high * f, low: b.low * f, close: b.close * f, volume: v } as T)
      : { ...b, open: b.open * f, high: b.high * f, low: b.low * f, close: b.close * f, volume: v };
  }
  return out;
}
