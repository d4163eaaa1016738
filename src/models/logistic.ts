/**
 * L2-regularised logistic regression fitted by iteratively reweighted least squares (Newton's method on
 * the penalised log-likelihood). Features are standardised with the training means and deviations, which
 * are kept in the model so prediction applies the same transform. Deterministic: no random start.
 */
import { solveSpd } from './linear.ts';

export interface LogisticModel {
  kind: 'logistic';
  /** Intercept first, then one coefficient per standardised feature. */
  coef: number[];
  mean: number[];
  scale: number[];
}

export interface LogisticOptions {
  /** Ridge penalty on the (standardised) slopes, not the intercept. @defaultValue 1 */
  l2?: number;
  /** Newton iterations at most. @defaultValue 50 */
  maxIter?: number;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** `x` holds one Float64Array row per sample; `y` is 0/1. */
export function fitLogistic(
  x: readonly Float64Array[],
  y: ArrayLike<number>,
  opts: LogisticOptions = {},
): LogisticModel {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`rows (${n}) and labels (${y.length}) differ in length`);
  if (n === 0) throw new RangeError('no training rows');
  const p = (x[0] as Float64Array).length;
  const l2 = opts.l2 ?? 1;
  const mean = new Array<number>(p).fill(0);
  const scale = new Array<number>(p).fill(0);
  for (const r of x) for (let j = 0; j < p; j++) mean[j] = (mean[j] as number) + (r[j] as number) / n;
  for (const r of x)
    for (let j = 0; j < p; j++)
      scale[j] = (scale[j] as number) + ((r[j] as number) - (mean[j] as number)) ** 2 / n;
  for (let j = 0; j < p; j++) scale[j] = Math.sqrt(scale[j] as number) || 1;
  const d = p + 1;
  const z = x.map((r) => {
    const out = new Float64Array(d);
    out[0] = 1;
    for (let j = 0; j < p; j++) out[j + 1] = ((r[j] as number) - (mean[j] as number)) / (scale[j] as number);
    return out;
  });
  let beta = new Float64Array(d);
  // Start the intercept at the base rate's log-odds (clipped), so separable or one-class data stays finite.
  let pos = 0;
  for (let i = 0; i < n; i++) pos += y[i] as number;
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, pos / n));
  beta[0] = Math.log(rate / (1 - rate));
  const maxIter = opts.maxIter ?? 50;
  for (let it = 0; it < maxIter; it++) {
    const h = new Float64Array(d * d);
    const g = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const zi = z[i] as Float64Array;
      let eta = 0;
      for (let j = 0; j < d; j++) eta += (beta[j] as number) * (zi[j] as number);
      const mu = sigmoid(eta);
      const w = Math.max(mu * (1 - mu), 1e-10);
      const r = (y[i] as number) - mu;
      for (let j = 0; j < d; j++) {
        g[j] = (g[j] as number) + r * (zi[j] as number);
        for (let k = 0; k <= j; k++)
          h[j * d + k] = (h[j * d + k] as number) + w * (zi[j] as number) * (zi[k] as number);
      }
    }
    for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) h[k * d + j] = h[j * d + k] as number;
    for (let j = 1; j < d; j++) {
      g[j] = (g[j] as number) - l2 * (beta[j] as number);
      h[j * d + j] = (h[j * d + j] as number) + l2;
    }
    h[0] = (h[0] as number) + 1e-8;
    const step = solveSpd(h, g, d);
    const next = new Float64Array(d);
    let change = 0;
    for (let j = 0; j < d; j++) {
      next[j] = (beta[j] as number) + (step[j] as number);
      change = Math.max(change, Math.abs(step[j] as number));
    }
    beta = next;
    if (change < 1e-8) break;
  }
  return { kind: 'logistic', coef: Array.from(beta), mean, scale };
}

export function predictLogistic(m: LogisticModel, row: ArrayLike<number>): number {
  let eta = m.coef[0] ?? 0;
  for (let j = 0; j < m.mean.length; j++)
    eta += (m.coef[j + 1] ?? 0) * (((row[j] as number) - (m.mean[j] ?? 0)) / (m.scale[j] ?? 1));
  return sigmoid(eta);
}
