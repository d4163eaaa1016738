/**
 * Pearson correlation of log returns between assets, for whole matrices at once.
 *
 * Alignment: prices are aligned on time by an INNER JOIN (a return is taken between two consecutive
 * timestamps at which both assets have a price), never forward-filled unless `forwardFill` is set (then an
 * asset missing at a timestamp carries its last price, also from before the window). A window of `windowDays`
 * calendar days holds the prices with asOf − windowDays·1d ≤ ts ≤ asOf. A pair needs at least `minPoints`
 * aligned returns, else its correlation is null (NaN in the matrix).
 *
 * Speed: assets with the same timestamps (same calendar: all equities, all crypto) form a group whose returns
 * are centred and normalised once; each pair in a group is then one dot product. Pairs across groups are
 * aligned pairwise (still O(points) each, on precomputed log prices).
 */
import { at } from '../core/assert.ts';
import { ValidationError } from '../core/errors.ts';

const DAY_MS = 86_400_000;

export interface PriceSeries {
  symbol: string;
  /** Ascending UTC epoch ms. */
  ts: ArrayLike<number>;
  prices: ArrayLike<number>;
}

export interface CorrelationOptions {
  windowDays: number;
  /** End of the window, UTC epoch ms (inclusive). */
  asOf: number;
  /** Minimum aligned returns for a value. @defaultValue 20 */
  minPoints?: number;
  /** Carry an asset's last price over timestamps where it has none. @defaultValue false */
  forwardFill?: boolean;
}

export interface CorrelationMatrix {
  symbols: string[];
  windowDays: number;
  asOf: number;
  /** Row-major n×n correlations; NaN where there is no value (too few points, or a flat price). */
  values: Float64Array;
  /** Row-major n×n aligned return counts. */
  points: Int32Array;
}

function lowerBound(ts: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ts[mid] ?? Number.NaN) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Sorted distinct timestamps in [start, end] across all series. */
function unionGrid(series: readonly PriceSeries[], start: number, end: number): Float64Array {
  const first = series[0];
  // Fast path: every series has exactly the same timestamps in the window.
  if (first) {
    const a0 = lowerBound(first.ts, start);
    const a1 = lowerBound(first.ts, end + 1);
    let same = true;
    for (const s of series) {
      const b0 = lowerBound(s.ts, start);
      if (lowerBound(s.ts, end + 1) - b0 !== a1 - a0) {
        same = false;
        break;
      }
      for (let i = 0; i < a1 - a0 && same; i++) if (s.ts[b0 + i] !== first.ts[a0 + i]) same = false;
      if (!same) break;
    }
    if (same) return Float64Array.from({ length: a1 - a0 }, (_, i) => first.ts[a0 + i] ?? Number.NaN);
  }
  const all: number[] = [];
  for (const s of series) {
    for (let i = lowerBound(s.ts, start); i < s.ts.length; i++) {
      const t = s.ts[i];
      if (t === undefined || t > end) break;
      all.push(t);
    }
  }
  const sorted = Float64Array.from(all).sort();
  let m = 0;
  // Compacts in place: the write index m never passes the read position.
  for (const t of sorted) if (m === 0 || t !== sorted[m - 1]) sorted[m++] = t;
  return sorted.subarray(0, m);
}

/** Log prices on the grid, NaN where the asset has no price (or carried forward when asked). */
function logPricesOnGrid(s: PriceSeries, grid: Float64Array, forwardFill: boolean): Float64Array {
  const out = new Float64Array(grid.length).fill(Number.NaN);
  const g0 = grid[0];
  if (g0 === undefined) return out;
  let j = lowerBound(s.ts, g0);
  let last = forwardFill && j > 0 ? Math.log(s.prices[j - 1] ?? Number.NaN) : Number.NaN;
  for (let k = 0; k < grid.length; k++) {
    const t = grid[k] ?? Number.NaN;
    while (j < s.ts.length && (s.ts[j] ?? Number.NaN) < t) j++;
    if (j < s.ts.length && s.ts[j] === t) {
      const p = s.prices[j] ?? Number.NaN;
      if (!(p > 0) || !Number.isFinite(p)) {
        throw new ValidationError(
          `correlation: ${s.symbol} price ${p} at ${new Date(t).toISOString()} is not > 0`,
        );
      }
      last = Math.log(p);
      out[k] = last;
      j++;
    } else if (forwardFill) {
      out[k] = last;
    }
  }
  return out;
}

function pearsonPairwise(a: Float64Array, b: Float64Array): [number, number] {
  // Returns between consecutive grid points where both have a price.
  const ra: number[] = [];
  const rb: number[] = [];
  let pa = Number.NaN;
  let pb = Number.NaN;
  for (let k = 0; k < a.length; k++) {
    const x = a[k] ?? Number.NaN;
    const y = b[k] ?? Number.NaN;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    if (!Number.isNaN(pa)) {
      ra.push(x - pa);
      rb.push(y - pb);
    }
    pa = x;
    pb = y;
  }
  const n = ra.length;
  if (n < 2) return [Number.NaN, n];
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += ra[i] ?? Number.NaN;
    mb += rb[i] ?? Number.NaN;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = (ra[i] ?? Number.NaN) - ma;
    const y = (rb[i] ?? Number.NaN) - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return [sab / Math.sqrt(saa * sbb), n];
}

function clamp(r: number): number {
  return Math.min(1, Math.max(-1, r));
}

export function correlationMatrix(
  series: readonly PriceSeries[],
  options: CorrelationOptions,
): CorrelationMatrix {
  const { windowDays, asOf } = options;
  const minPoints = options.minPoints ?? 20;
  const forwardFill = options.forwardFill ?? false;
  if (!(windowDays > 0)) throw new ValidationError(`correlation: windowDays must be > 0, got ${windowDays}`);
  const n = series.length;
  for (const s of series) {
    if (s.ts.length !== s.prices.length) {
      throw new ValidationError(
        `correlation: ${s.symbol} has ${s.ts.length} times but ${s.prices.length} prices`,
      );
    }
  }
  const values = new Float64Array(n * n).fill(Number.NaN);
  const points = new Int32Array(n * n);
  const grid = unionGrid(series, asOf - windowDays * DAY_MS, asOf);
  const T = grid.length;
  const logs = series.map((s) => logPricesOnGrid(s, grid, forwardFill));

  // Group assets by their presence pattern on the grid.
  const groups = new Map<string, number[]>();
  const mask = new Uint8Array(T);
  logs.forEach((lp, a) => {
    for (let k = 0; k < T; k++) mask[k] = Number.isNaN(lp[k] ?? Number.NaN) ? 0 : 1;
    const key = Buffer.from(mask).toString('base64');
    const members = groups.get(key);
    if (members) members.push(a);
    else groups.set(key, [a]);
  });
  const groupOf = new Int32Array(n);
  let g = 0;
  for (const members of groups.values()) {
    for (const a of members) groupOf[a] = g;
    g++;
    const first = members[0];
    const lp0 = first === undefined ? undefined : logs[first];
    if (lp0 === undefined) continue;
    const present: number[] = [];
    for (let k = 0; k < T; k++) if (!Number.isNaN(lp0[k] ?? Number.NaN)) present.push(k);
    const m = present.length - 1;
    if (m < 1) continue;
    // Centred, unit-norm returns per member: correlation is then one dot product.
    const unit = members.map((a) => {
      const lp = at(logs, a, 'logs');
      const r = new Float64Array(m);
      let mean = 0;
      let i = 0;
      let prev = -1;
      for (const k of present) {
        if (prev >= 0) {
          const x = (lp[k] ?? Number.NaN) - (lp[prev] ?? Number.NaN);
          r[i++] = x;
          mean += x;
        }
        prev = k;
      }
      mean /= m;
      let ss = 0;
      for (let i = 0; i < m; i++) {
        const x = (r[i] ?? Number.NaN) - mean;
        r[i] = x;
        ss += x * x;
      }
      const inv = ss > 0 ? 1 / Math.sqrt(ss) : Number.NaN;
      for (let i = 0; i < m; i++) r[i] = (r[i] ?? Number.NaN) * inv;
      return { a, u: r };
    });
    unit.forEach(({ a, u: ua }, x) => {
      for (const { a: b, u: ub } of unit.slice(x)) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += (ua[i] ?? Number.NaN) * (ub[i] ?? Number.NaN);
        const r = a === b ? (Number.isNaN(ua[0] ?? Number.NaN) ? Number.NaN : 1) : clamp(dot);
        const v = m >= minPoints ? r : Number.NaN;
        values[a * n + b] = v;
        values[b * n + a] = v;
        points[a * n + b] = m;
        points[b * n + a] = m;
      }
    });
  }
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      if (groupOf[a] === groupOf[b]) continue;
      const [r, m] = pearsonPairwise(at(logs, a, 'logs'), at(logs, b, 'logs'));
      const v = m >= minPoints ? clamp(r) : Number.NaN;
      values[a * n + b] = v;
      values[b * n + a] = v;
      points[a * n + b] = m;
      points[b * n + a] = m;
    }
  }
  return { symbols: series.map((s) => s.symbol), windowDays, asOf, values, points };
}

export interface CorrelationPair {
  asset_1: string;
  asset_2: string;
  correlation: number | null;
  data_points: number;
}

/** The upper triangle as pairs with asset_1 < asset_2 (the stored order). */
export function matrixPairs(m: CorrelationMatrix): CorrelationPair[] {
  const n = m.symbols.length;
  const out: CorrelationPair[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const sa = m.symbols[a] as string;
      const sb = m.symbols[b] as string;
      const v = m.values[a * n + b] ?? Number.NaN;
      const [asset_1, asset_2] = sa < sb ? [sa, sb] : [sb, sa];
      out.push({
        asset_1,
        asset_2,
        correlation: Number.isNaN(v) ? null : v,
        data_points: m.points[a * n + b] ?? 0,
      });
    }
  }
  return out;
}

/**
 * Quality rules for a computed matrix: square, symmetric, unit diagonal (where defined), every value in
 * [−1, 1] or missing. Returns the broken rules; an empty list means valid.
 */
export function validateCorrelationMatrix(m: CorrelationMatrix, tolerance = 1e-12): string[] {
  const n = m.symbols.length;
  const errors: string[] = [];
  if (m.values.length !== n * n) return [`matrix has ${m.values.length} values for ${n} assets`];
  for (let a = 0; a < n; a++) {
    const d = m.values[a * n + a] ?? Number.NaN;
    if (!Number.isNaN(d) && Math.abs(d - 1) > tolerance)
      errors.push(`diagonal ${m.symbols[a]} is ${d}, expected 1`);
    for (let b = 0; b < n; b++) {
      const v = m.values[a * n + b] ?? Number.NaN;
      const w = m.values[b * n + a] ?? Number.NaN;
      if (!Number.isNaN(v) && (v < -1 || v > 1))
        errors.push(`${m.symbols[a]}/${m.symbols[b]} = ${v} is outside [-1, 1]`);
      if (b > a && !(Object.is(v, w) || Math.abs(v - w) <= tolerance)) {
        errors.push(`${m.symbols[a]}/${m.symbols[b]} is not symmetric: ${v} vs ${w}`);
      }
    }
  }
  return errors;
}
