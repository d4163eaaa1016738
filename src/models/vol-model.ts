/**
 * The volatility models of the registry: one-day-ahead variance of an instrument's daily log returns,
 * GARCH(1,1) or HAR (volatility.ts) beside the EWMA (λ = 0.94) baseline, walk-forward on the same days.
 * Scored by QLIKE (decisive: robust to the noisy r² proxy, Patton 2011) and MSE against the realised r²,
 * with paired, seeded moving-block bootstrap intervals.
 */
import { Rng } from '../risk/rng.ts';
import { blockResample, defaultBlockLength, type Estimate } from './metrics.ts';
import {
  ewmaForecasts,
  fitGarch,
  fitHar,
  garchFilter,
  harForecast,
  volatilityWalkForward,
} from './volatility.ts';

export interface VolSpec {
  kind: 'garch' | 'har';
  /** Default instrument (`--asset` overrides it). */
  asset: string;
  /** Returns before the first forecast. */
  minTrain: number;
  /** Refit schedule, in returns. */
  refitEvery: number;
}

export type FittedVol =
  | { kind: 'garch'; asset: string; omega: number; alpha: number; beta: number; h0: number }
  | { kind: 'har'; asset: string; coef: number[] };

export interface VolMetrics {
  qlike: Estimate;
  mse: Estimate;
  n: number;
  /** Length of the bootstrap's blocks (consecutive days). */
  block_length: number;
}

export interface DailyCloses {
  ts: readonly number[];
  close: readonly number[];
}

/** Daily log returns with the day each one is realised. */
export function logReturns(s: DailyCloses): { ts: number[]; r: number[] } {
  const ts: number[] = [];
  const r: number[] = [];
  for (let i = 1; i < s.close.length; i++) {
    const a = s.close[i - 1] as number;
    const b = s.close[i] as number;
    if (a > 0 && b > 0) {
      ts.push(s.ts[i] as number);
      r.push(Math.log(b / a));
    }
  }
  return { ts, r };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = sorted[Math.floor(pos)] as number;
  const hi = sorted[Math.ceil(pos)] as number;
  return lo + (hi - lo) * (pos - Math.floor(pos));
}

/**
 * QLIKE = mean(ln h + y/h) and MSE = mean((y − h)²) of each forecast vector against the realised squared
 * returns `y` (in time order), with 95 % percentile intervals from one moving-block bootstrap shared by all
 * vectors (blocks of ⌈n^(1/3)⌉ consecutive days unless `blockLength` says otherwise: see `metrics.ts`).
 */
export function pairedVolMetrics(
  hs: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  opts: { seed: number; resamples: number; blockLength?: number },
): VolMetrics[] {
  const n = y.length;
  const loss = (h: ArrayLike<number>) => ({
    q: Float64Array.from(
      { length: n },
      (_, i) => Math.log(h[i] as number) + (y[i] as number) / (h[i] as number),
    ),
    m: Float64Array.from({ length: n }, (_, i) => ((y[i] as number) - (h[i] as number)) ** 2),
  });
  const losses = hs.map(loss);
  const mean = (v: Float64Array) => (n === 0 ? Number.NaN : v.reduce((s, x) => s + x, 0) / n);
  const draws = hs.map(() => ({ q: [] as number[], m: [] as number[] }));
  const rng = new Rng(opts.seed);
  const block = opts.blockLength ?? defaultBlockLength(n);
  const idx = new Uint32Array(n);
  for (let b = 0; b < opts.resamples && n > 0; b++) {
    blockResample(idx, n, block, rng);
    losses.forEach((l, k) => {
      let q = 0;
      let m = 0;
      for (let i = 0; i < n; i++) {
        q += l.q[idx[i] as number] as number;
        m += l.m[idx[i] as number] as number;
      }
      draws[k]?.q.push(q / n);
      draws[k]?.m.push(m / n);
    });
  }
  const est = (value: number, xs: number[]): Estimate => {
    xs.sort((a, b) => a - b);
    return { value, lo: percentile(xs, 0.025), hi: percentile(xs, 0.975) };
  };
  return losses.map((l, k) => ({
    qlike: est(mean(l.q), draws[k]?.q ?? []),
    mse: est(mean(l.m), draws[k]?.m ?? []),
    n,
    block_length: Math.min(Math.max(1, Math.floor(block)), Math.max(1, n)),
  }));
}

export interface VolEvaluation {
  metrics: VolMetrics;
  baseline: VolMetrics;
  /** Lower walk-forward QLIKE than EWMA. */
  better_than_baseline: boolean;
  /** One row per forecast day: y = realised r², p = model variance, p_baseline = EWMA variance. */
  predictions: { ts: number; y: number; p: number; p_baseline: number }[];
  model: FittedVol;
  samples: number;
  folds: number;
}

function fitVol(spec: VolSpec, asset: string, r: readonly number[]): FittedVol {
  if (spec.kind === 'har') return { kind: 'har', asset, coef: fitHar(r) };
  const g = fitGarch(r);
  return { kind: 'garch', asset, omega: g.omega, alpha: g.alpha, beta: g.beta, h0: g.h0 };
}

/** The fitted model's variance forecast of r_t from r_0..r_{t−1}, for t = 0..n (NaN where undefined). */
export function volForecastSeries(m: FittedVol, r: readonly number[]): Float64Array {
  if (m.kind === 'garch') return garchFilter(r, m, m.h0);
  const out = new Float64Array(r.length + 1).fill(Number.NaN);
  for (let t = 22; t <= r.length; t++) out[t] = Math.max(harForecast(m.coef, r, t), 1e-12);
  return out;
}

export function evaluateVol(
  s: DailyCloses,
  spec: VolSpec,
  asset: string,
  opts: { seed: number; resamples: number },
): VolEvaluation {
  const { ts, r } = logReturns(s);
  if (r.length < spec.minTrain + 30)
    throw new RangeError(
      `${asset}: ${r.length} daily returns, the volatility model needs at least ${spec.minTrain + 30}`,
    );
  const wf = volatilityWalkForward(r, {
    minTrain: spec.minTrain,
    refitEvery: spec.refitEvery,
    only: spec.kind,
  });
  const cand = spec.kind === 'garch' ? wf.forecasts.garch : wf.forecasts.har;
  const rows: VolEvaluation['predictions'] = [];
  for (let k = 0; k < cand.length; k++) {
    const t = spec.minTrain + k;
    const h = cand[k] as number;
    const hb = wf.forecasts.ewma[k] as number;
    if (h > 0 && hb > 0 && Number.isFinite(h) && Number.isFinite(hb))
      rows.push({ ts: ts[t] as number, y: (r[t] as number) ** 2, p: h, p_baseline: hb });
  }
  const y = rows.map((x) => x.y);
  const [m, b] = pairedVolMetrics([rows.map((x) => x.p), rows.map((x) => x.p_baseline)], y, opts) as [
    VolMetrics,
    VolMetrics,
  ];
  return {
    metrics: m,
    baseline: b,
    better_than_baseline: m.qlike.value < b.qlike.value,
    predictions: rows,
    model: fitVol(spec, asset, r),
    samples: r.length,
    folds: Math.ceil(cand.length / spec.refitEvery),
  };
}

/** Next-day variance after the last close, by the model and by the EWMA baseline. */
export function latestVol(
  s: DailyCloses,
  m: FittedVol,
): { ts: number; variance: number; daily_vol: number; ewma_variance: number } {
  const { ts, r } = logReturns(s);
  if (r.length < 30) throw new RangeError(`${m.asset}: ${r.length} daily returns, need at least 30`);
  const h = volForecastSeries(m, r)[r.length] as number;
  const e = ewmaForecasts(r)[r.length] as number;
  return { ts: ts[ts.length - 1] as number, variance: h, daily_vol: Math.sqrt(h), ewma_variance: e };
}
