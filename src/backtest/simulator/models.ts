import { ValidationError } from '../../core/errors.ts';
import { choleskyRepaired } from '../../risk/linalg.ts';
import { Rng } from '../../risk/rng.ts';
import type { BarColumns } from '../types.ts';

/**
 * Stochastic market models over per-bar log returns of several instruments.
 * - `gbm`: geometric Brownian motion, log return ~ N(drift, vol²) per bar, correlated across instruments
 *   through the Cholesky factor of `corr`.
 * - `jump`: Merton jump diffusion: the GBM part plus, each bar, Poisson(`lambda`) jumps of size
 *   N(jumpMean, jumpSd²) in log price. Per-bar mean = drift + λ·jumpMean, variance = vol² + λ(jumpSd² + jumpMean²).
 * - `bootstrap`: stationary-free block bootstrap: blocks of `block` consecutive historical return vectors
 *   (all instruments at the same dates, so cross-correlation and short-range autocorrelation survive),
 *   starting at uniform random dates, wrapping around (circular).
 */
export type MarketModel =
  | { kind: 'gbm'; symbols: string[]; drift: number[]; vol: number[]; corr?: number[][] }
  | {
      kind: 'jump';
      symbols: string[];
      drift: number[];
      vol: number[];
      corr?: number[][];
      lambda: number[];
      jumpMean: number[];
      jumpSd: number[];
    }
  | { kind: 'bootstrap'; symbols: string[]; returns: Float64Array[]; block: number };

export const MODEL_KINDS = ['gbm', 'jump', 'bootstrap'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Log returns of closes on the timestamps every series shares. */
export function commonLogReturns(series: readonly BarColumns[]): Float64Array[] {
  const first = series[0];
  if (first === undefined) throw new ValidationError('calibration needs at least one series');
  let common = new Set(first.ts);
  for (const s of series.slice(1)) {
    const own = new Set(s.ts);
    common = new Set([...common].filter((t) => own.has(t)));
  }
  return series.map((s) => {
    const closes: number[] = [];
    for (let k = 0; k < s.ts.length; k++)
      if (common.has(s.ts[k] ?? Number.NaN)) closes.push(s.close[k] ?? Number.NaN);
    if (closes.length < 3)
      throw new ValidationError(
        `${s.symbol}: need at least 3 common bars to calibrate, got ${closes.length}`,
      );
    const r = new Float64Array(closes.length - 1);
    for (let k = 1; k < closes.length; k++) r[k - 1] = Math.log((closes[k] ?? 1) / (closes[k - 1] ?? 1));
    return r;
  });
}

function meanSd(x: ArrayLike<number>): { mean: number; sd: number } {
  let s = 0;
  for (let k = 0; k < x.length; k++) s += x[k] ?? 0;
  const mean = s / x.length;
  let v = 0;
  for (let k = 0; k < x.length; k++) v += ((x[k] ?? 0) - mean) ** 2;
  return { mean, sd: Math.sqrt(v / Math.max(1, x.length - 1)) };
}

export function correlationOf(returns: readonly Float64Array[]): number[][] {
  const st = returns.map(meanSd);
  return returns.map((ri, i) =>
    returns.map((rj, j) => {
      if (i === j) return 1;
      const a = st[i];
      const b = st[j];
      if (a === undefined || b === undefined || a.sd === 0 || b.sd === 0) return 0;
      let c = 0;
      for (let k = 0; k < ri.length; k++) c += ((ri[k] ?? 0) - a.mean) * ((rj[k] ?? 0) - b.mean);
      return c / (ri.length - 1) / (a.sd * b.sd);
    }),
  );
}

/**
 * Fits a model to history. Jump diffusion: returns beyond `jumpThreshold` (default 3) standard deviations
 * are taken as jumps (their rate and size give λ, jumpMean, jumpSd), the rest as the diffusion — a simple
 * threshold estimator, good enough to give simulated paths the history's fat tails.
 */
export function calibrate(
  series: readonly BarColumns[],
  kind: ModelKind,
  options: { block?: number; jumpThreshold?: number } = {},
): MarketModel {
  const returns = commonLogReturns(series);
  const symbols = series.map((s) => s.symbol);
  if (kind === 'bootstrap') return { kind, symbols, returns, block: options.block ?? 20 };
  const corr = series.length > 1 ? correlationOf(returns) : undefined;
  if (kind === 'gbm') {
    const st = returns.map(meanSd);
    return { kind, symbols, drift: st.map((s) => s.mean), vol: st.map((s) => s.sd), corr };
  }
  const th = options.jumpThreshold ?? 3;
  const drift: number[] = [];
  const vol: number[] = [];
  const lambda: number[] = [];
  const jumpMean: number[] = [];
  const jumpSd: number[] = [];
  for (const r of returns) {
    const all = meanSd(r);
    const jumps: number[] = [];
    const rest: number[] = [];
    for (const x of r) (Math.abs(x - all.mean) > th * all.sd ? jumps : rest).push(x);
    const d = meanSd(rest);
    const j = jumps.length > 0 ? meanSd(jumps) : { mean: 0, sd: 0 };
    drift.push(d.mean);
    vol.push(d.sd);
    lambda.push(jumps.length / r.length);
    jumpMean.push(j.mean);
    jumpSd.push(jumps.length > 1 ? j.sd : Math.abs(j.mean) / 2);
  }
  return { kind, symbols, drift, vol, corr, lambda, jumpMean, jumpSd };
}

/** Uniform integer on [0, n). */
function uniformInt(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng.uniform() * n));
}

/** Poisson(λ) by inversion — fine for the small λ of per-bar jump counts. */
export function poisson(rng: Rng, lambda: number): number {
  if (!(lambda > 0)) return 0;
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.uniform();
  while (p > limit) {
    k++;
    p *= rng.uniform();
  }
  return k;
}

/** Simulated per-bar log returns: one Float64Array of length `bars` per instrument. */
export function simulateReturns(model: MarketModel, bars: number, rng: Rng): Float64Array[] {
  const n = model.symbols.length;
  const out = model.symbols.map(() => new Float64Array(bars));
  if (model.kind === 'bootstrap') {
    const len = model.returns[0]?.length ?? 0;
    if (len === 0) throw new ValidationError('bootstrap needs historical returns');
    const block = Math.max(1, Math.min(model.block, len));
    for (let k = 0; k < bars; ) {
      const start = uniformInt(rng, len);
      for (let j = 0; j < block && k < bars; j++, k++) {
        const src = (start + j) % len;
        for (let i = 0; i < n; i++) (out[i] as Float64Array)[k] = model.returns[i]?.[src] ?? 0;
      }
    }
    return out;
  }
  // Cholesky of the correlation (repaired to the nearest valid matrix when it is not PSD), row-major.
  const chol = model.corr !== undefined && n > 1 ? choleskyRepaired(model.corr.flat(), n).factor : null;
  const z = new Float64Array(n);
  for (let k = 0; k < bars; k++) {
    for (let i = 0; i < n; i++) z[i] = rng.normal();
    for (let i = 0; i < n; i++) {
      let e = z[i] ?? 0;
      if (chol !== null) {
        e = 0;
        for (let j = 0; j <= i; j++) e += (chol[i * n + j] ?? 0) * (z[j] ?? 0);
      }
      let r = (model.drift[i] ?? 0) + (model.vol[i] ?? 0) * e;
      if (model.kind === 'jump') {
        const count = poisson(rng, model.lambda[i] ?? 0);
        for (let c = 0; c < count; c++) r += (model.jumpMean[i] ?? 0) + (model.jumpSd[i] ?? 0) * rng.normal();
      }
      (out[i] as Float64Array)[k] = r;
    }
  }
  return out;
}

/**
 * Bars from a start price and log returns on the given timestamps (`ts.length` = returns + 1): close_k =
 * close_{k−1}·e^{r_k}; open = previous close (so next-open fills see the move), high/low = max/min of the two.
 */
function barsFromReturns(symbol: string, ts: Float64Array, start: number, returns: Float64Array): BarColumns {
  const n = ts.length;
  if (returns.length !== n - 1)
    throw new ValidationError(`${symbol}: ${returns.length} returns for ${n} timestamps`);
  const open = new Float64Array(n);
  const close = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  let c = start;
  open[0] = c;
  close[0] = c;
  high[0] = c;
  low[0] = c;
  for (let k = 1; k < n; k++) {
    const o = c;
    c = c * Math.exp(returns[k - 1] ?? 0);
    open[k] = o;
    close[k] = c;
    high[k] = Math.max(o, c);
    low[k] = Math.min(o, c);
  }
  return { symbol, ts, open, high, low, close };
}

/** One simulated market on timestamps `ts`, starting from `start` prices. */
export function simulateMarket(
  model: MarketModel,
  ts: Float64Array,
  start: readonly number[],
  seed: number,
): BarColumns[] {
  const rng = new Rng(seed);
  const rets = simulateReturns(model, ts.length - 1, rng);
  return model.symbols.map((s, i) =>
    barsFromReturns(s, ts, start[i] ?? 100, rets[i] ?? new Float64Array(ts.length - 1)),
  );
}
