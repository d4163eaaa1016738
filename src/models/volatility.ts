/**
 * One-day-ahead variance forecasts of daily log returns, scored against the squared next return:
 * - EWMA (RiskMetrics 1996): h_{t+1} = λ h_t + (1 − λ) r_t², λ = 0.94;
 * - GARCH(1,1) (Bollerslev 1986): h_{t+1} = ω + α r_t² + β h_t, fitted by Gaussian maximum likelihood
 *   (Nelder–Mead on an unconstrained reparametrisation keeping ω > 0, α, β ≥ 0, α + β < 1);
 * - HAR (Corsi 2009), the learned model: r²_{t+1} regressed by least squares on the mean squared return
 *   of the last 1, 5 and 22 days.
 * Losses (Patton 2011, both robust to the noisy r² proxy): QLIKE = mean(ln h + r²/h), MSE = mean((r² − h)²).
 */
import { solveSpd } from './linear.ts';

export function ewmaForecasts(r: ArrayLike<number>, lambda = 0.94, warmup = 20): Float64Array {
  const n = r.length;
  const h = new Float64Array(n + 1).fill(Number.NaN);
  if (n < warmup) return h;
  let v = 0;
  for (let i = 0; i < warmup; i++) v += (r[i] as number) ** 2 / warmup;
  for (let t = warmup; t <= n; t++) {
    h[t] = v;
    if (t < n) v = lambda * v + (1 - lambda) * (r[t] as number) ** 2;
  }
  return h;
}

export interface Garch {
  omega: number;
  alpha: number;
  beta: number;
}

/** h_t for t = 0..n (h_t uses r_0..r_{t−1}), started at the sample variance `h0`. */
export function garchFilter(r: ArrayLike<number>, g: Garch, h0: number): Float64Array {
  const n = r.length;
  const h = new Float64Array(n + 1);
  h[0] = h0;
  for (let t = 0; t < n; t++)
    h[t + 1] = g.omega + g.alpha * (r[t] as number) ** 2 + g.beta * (h[t] as number);
  return h;
}

/** Gaussian log-likelihood of r under GARCH(1,1), without the constant −n/2 ln 2π. */
export function garchLogLik(r: ArrayLike<number>, g: Garch, h0: number): number {
  const h = garchFilter(r, g, h0);
  let ll = 0;
  for (let t = 0; t < r.length; t++)
    ll -= 0.5 * (Math.log(h[t] as number) + (r[t] as number) ** 2 / (h[t] as number));
  return ll;
}

function fromFree(x: readonly number[], variance: number): Garch {
  // persistence p = α + β in (0, 1), share a = α / p in (0, 1), ω = e^{x0} · variance.
  const p = 1 / (1 + Math.exp(-(x[1] as number)));
  const a = 1 / (1 + Math.exp(-(x[2] as number)));
  return { omega: Math.exp(x[0] as number) * variance, alpha: p * a, beta: p * (1 - a) };
}

/** Nelder–Mead minimisation (standard coefficients 1, 2, 0.5, 0.5), deterministic. */
function nelderMead(
  f: (x: number[]) => number,
  x0: readonly number[],
  step = 0.5,
  maxIter = 2000,
  tol = 1e-10,
): number[] {
  const d = x0.length;
  let simplex = [
    x0.slice(),
    ...Array.from({ length: d }, (_, i) => x0.map((v, j) => (j === i ? v + step : v))),
  ];
  let values = simplex.map(f);
  for (let it = 0; it < maxIter; it++) {
    const order = values.map((_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
    simplex = order.map((i) => simplex[i] as number[]);
    values = order.map((i) => values[i] as number);
    if (Math.abs((values[d] as number) - (values[0] as number)) < tol * (1 + Math.abs(values[0] as number)))
      break;
    const c = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) c[j] = (c[j] as number) + ((simplex[i] as number[])[j] as number) / d;
    const worst = simplex[d] as number[];
    const at = (t: number) => c.map((v, j) => v + t * (v - (worst[j] as number)));
    const xr = at(1);
    const fr = f(xr);
    if (fr < (values[0] as number)) {
      const xe = at(2);
      const fe = f(xe);
      simplex[d] = fe < fr ? xe : xr;
      values[d] = Math.min(fe, fr);
    } else if (fr < (values[d - 1] as number)) {
      simplex[d] = xr;
      values[d] = fr;
    } else {
      const xc = fr < (values[d] as number) ? at(0.5) : at(-0.5);
      const fc = f(xc);
      if (fc < Math.min(fr, values[d] as number)) {
        simplex[d] = xc;
        values[d] = fc;
      } else {
        const best = simplex[0] as number[];
        for (let i = 1; i <= d; i++) {
          simplex[i] = best.map((v, j) => v + 0.5 * (((simplex[i] as number[])[j] as number) - v));
          values[i] = f(simplex[i] as number[]);
        }
      }
    }
  }
  const k = values.indexOf(Math.min(...values));
  return simplex[k] as number[];
}

/** GARCH(1,1) by maximum likelihood on returns `r` (mean taken as zero); h_0 = their mean square. */
export function fitGarch(r: ArrayLike<number>): Garch & { logLik: number; h0: number } {
  const n = r.length;
  if (n < 30) throw new RangeError(`GARCH needs at least 30 returns, got ${n}`);
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (r[i] as number) ** 2 / n;
  const obj = (x: number[]) => -garchLogLik(r, fromFree(x, variance), variance);
  // Start at ω = 0.05 σ², α + β = 0.95, α = 0.1 (logit 0.95 ≈ 2.944, logit(0.1/0.95)).
  const x = nelderMead(obj, [Math.log(0.05), Math.log(0.95 / 0.05), Math.log(0.1 / 0.95 / (1 - 0.1 / 0.95))]);
  const g = fromFree(x, variance);
  return { ...g, logLik: garchLogLik(r, g, variance), h0: variance };
}

const HAR_LAGS = [1, 5, 22] as const;

function harRow(r: ArrayLike<number>, t: number): Float64Array {
  // Regressors known at the end of day t−1: mean r² over the last 1, 5, 22 returns before t.
  const x = new Float64Array(HAR_LAGS.length + 1);
  x[0] = 1;
  HAR_LAGS.forEach((lag, k) => {
    let s = 0;
    for (let j = t - lag; j < t; j++) s += (r[j] as number) ** 2 / lag;
    x[k + 1] = s;
  });
  return x;
}

/** HAR coefficients by least squares on the returns before `end` (forecast of r²_t from r_{<t}). */
export function fitHar(r: ArrayLike<number>, end = r.length): number[] {
  const d = HAR_LAGS.length + 1;
  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  for (let t = 22; t < end; t++) {
    const x = harRow(r, t);
    const y = (r[t] as number) ** 2;
    for (let i = 0; i < d; i++) {
      b[i] = (b[i] as number) + (x[i] as number) * y;
      for (let j = 0; j < d; j++)
        a[i * d + j] = (a[i * d + j] as number) + (x[i] as number) * (x[j] as number);
    }
  }
  for (let i = 0; i < d; i++) a[i * d + i] = (a[i * d + i] as number) + 1e-18;
  return Array.from(solveSpd(a, b, d));
}

export function harForecast(coef: readonly number[], r: ArrayLike<number>, t: number): number {
  const x = harRow(r, t);
  let h = 0;
  for (let i = 0; i < x.length; i++) h += (coef[i] ?? 0) * (x[i] as number);
  return h;
}

export interface VolatilityScores {
  qlike: number;
  mse: number;
  n: number;
}

function scoreVariance(h: ArrayLike<number>, r2: ArrayLike<number>): VolatilityScores {
  let q = 0;
  let m = 0;
  let n = 0;
  for (let i = 0; i < h.length; i++) {
    const hi = h[i] as number;
    if (!(hi > 0)) continue;
    const y = r2[i] as number;
    q += Math.log(hi) + y / hi;
    m += (y - hi) ** 2;
    n++;
  }
  return { qlike: q / n, mse: m / n, n };
}

/**
 * Walk-forward one-day variance forecasts for t = minTrain..n−1 (r_t is the target): GARCH and HAR refitted
 * every `refitEvery` days on returns before the refit day, EWMA needing no fit. Returns the three forecast
 * series and their scores against r_t². `only` fits just that model (the other's forecasts stay 0).
 */
export function volatilityWalkForward(
  r: ArrayLike<number>,
  opts: { minTrain?: number; refitEvery?: number; only?: 'garch' | 'har' } = {},
): {
  ewma: VolatilityScores;
  garch: VolatilityScores;
  har: VolatilityScores;
  forecasts: { ewma: Float64Array; garch: Float64Array; har: Float64Array };
} {
  const n = r.length;
  const minTrain = opts.minTrain ?? 250;
  const every = opts.refitEvery ?? 21;
  const m = Math.max(0, n - minTrain);
  const fe = new Float64Array(m);
  const fg = new Float64Array(m);
  const fh = new Float64Array(m);
  const y = new Float64Array(m);
  const ew = ewmaForecasts(r);
  let g: (Garch & { h0: number }) | null = null;
  let har: number[] = [];
  let gh: Float64Array = new Float64Array(0);
  for (let t = minTrain; t < n; t++) {
    if ((t - minTrain) % every === 0) {
      if (opts.only !== 'har') {
        const past = Array.from({ length: t }, (_, i) => r[i] as number);
        g = fitGarch(past);
        gh = garchFilter(r, g, g.h0);
      }
      if (opts.only !== 'garch') har = fitHar(r, t);
    }
    const k = t - minTrain;
    fe[k] = ew[t] as number;
    fg[k] = gh[t] ?? 0;
    if (opts.only !== 'garch') fh[k] = Math.max(harForecast(har, r, t), 1e-12);
    y[k] = (r[t] as number) ** 2;
  }
  return {
    ewma: scoreVariance(fe, y),
    garch: scoreVariance(fg, y),
    har: scoreVariance(fh, y),
    forecasts: { ewma: fe, garch: fg, har: fh },
  };
}
