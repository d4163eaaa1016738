/**
 * Scores of probability forecasts of a binary event, and seeded bootstrap intervals for them.
 * - AUC: probability that a random positive is ranked above a random negative (Mann–Whitney U / n₊n₋,
 *   ties count one half); undefined (NaN) when one class is absent.
 * - Brier: mean squared error of the probability, (1/n) Σ (p − y)².
 * - Log-loss: −(1/n) Σ [y ln p + (1 − y) ln(1 − p)], p clipped to [1e-15, 1 − 1e-15].
 *
 * Intervals come from a moving-block bootstrap (Künsch 1989): walk-forward forecast errors are
 * autocorrelated (a depeg lasts days, overlapping horizons share shocks), and an i.i.d. bootstrap over
 * them understates the spread. Blocks of `blockLength` consecutive forecasts (in time order) are drawn with
 * replacement until n rows are filled; the default length is ⌈n^(1/3)⌉ (the rate-optimal order for the
 * variance of a mean, Hall, Horowitz & Jing 1995). Block length 1 is the i.i.d. bootstrap.
 */
import { Rng } from '../risk/rng.ts';

const EPS = 1e-15;

function checkLengths(p: ArrayLike<number>, y: ArrayLike<number>): void {
  if (p.length !== y.length)
    throw new RangeError(`probabilities (${p.length}) and labels (${y.length}) differ in length`);
}

export function auc(p: ArrayLike<number>, y: ArrayLike<number>, idx?: ArrayLike<number>): number {
  checkLengths(p, y);
  const n = idx ? idx.length : p.length;
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = idx ? (idx[i] as number) : i;
  order.sort((a, b) => (p[a] as number) - (p[b] as number));
  let nPos = 0;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    const v = p[order[i] as number] as number;
    while (j + 1 < n && p[order[j + 1] as number] === v) j++;
    // Tied block i..j shares the mean rank (1-based).
    const rank = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) {
      if (y[order[k] as number] === 1) {
        nPos++;
        rankSumPos += rank;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export function brier(p: ArrayLike<number>, y: ArrayLike<number>, idx?: ArrayLike<number>): number {
  checkLengths(p, y);
  const n = idx ? idx.length : p.length;
  let s = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? (idx[k] as number) : k;
    const d = (p[i] as number) - (y[i] as number);
    s += d * d;
  }
  return n === 0 ? Number.NaN : s / n;
}

export function logLoss(p: ArrayLike<number>, y: ArrayLike<number>, idx?: ArrayLike<number>): number {
  checkLengths(p, y);
  const n = idx ? idx.length : p.length;
  let s = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? (idx[k] as number) : k;
    const q = Math.min(1 - EPS, Math.max(EPS, p[i] as number));
    s += y[i] === 1 ? -Math.log(q) : -Math.log(1 - q);
  }
  return n === 0 ? Number.NaN : s / n;
}

/** A point estimate with its bootstrap percentile interval (95 % by default). */
export interface Estimate {
  value: number;
  lo: number;
  hi: number;
}

export interface ClassifierMetrics {
  auc: Estimate;
  brier: Estimate;
  log_loss: Estimate;
  n: number;
  positives: number;
  /** Length of the bootstrap's blocks (consecutive forecasts); 1 = i.i.d. */
  block_length: number;
}

export interface BootstrapOptions {
  /** Resamples. @defaultValue 1000 */
  resamples?: number;
  /** Seed of the resampling. @defaultValue 1 */
  seed?: number;
  /** Two-sided level. @defaultValue 0.95 */
  level?: number;
  /** Moving-block length (consecutive forecasts). @defaultValue ⌈n^(1/3)⌉ */
  blockLength?: number;
}

/** The default block length of n forecasts: ⌈n^(1/3)⌉, at least 1. */
export function defaultBlockLength(n: number): number {
  return Math.max(1, Math.ceil(Math.cbrt(n) - 1e-9));
}

/**
 * One moving-block resample of 0..n−1 into `out` (length n): blocks i, i+1, …, i+L−1 with i uniform on
 * 0..n−L, concatenated and cut to n. L is clamped to 1..n.
 */
export function blockResample(out: Uint32Array, n: number, blockLength: number, rng: Rng): void {
  const L = Math.min(Math.max(1, Math.floor(blockLength)), Math.max(1, n));
  const starts = n - L + 1;
  for (let k = 0; k < n; ) {
    const i = Math.floor(rng.uniform() * starts);
    for (let j = 0; j < L && k < n; j++, k++) out[k] = i + j;
  }
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/**
 * AUC, Brier and log-loss of `p` against `y` (in time order) with percentile intervals from a moving-block
 * bootstrap over the forecasts (resamples where one class is absent are left out of the AUC interval).
 */
export function classifierMetrics(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: BootstrapOptions = {},
): ClassifierMetrics {
  return pairedMetrics([p], y, opts)[0] as ClassifierMetrics;
}

/** Metrics of each forecast vector in `ps`, all bootstrapped on the same block resamples of the forecasts. */
export function pairedMetrics(
  ps: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  opts: BootstrapOptions = {},
): ClassifierMetrics[] {
  const B = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  const rng = new Rng(opts.seed ?? 1);
  const n = y.length;
  let positives = 0;
  for (let i = 0; i < n; i++) if (y[i] === 1) positives++;
  const draws = ps.map(() => ({ auc: [] as number[], brier: [] as number[], ll: [] as number[] }));
  const block = opts.blockLength ?? defaultBlockLength(n);
  const idx = new Uint32Array(n);
  for (let b = 0; b < B && n > 0; b++) {
    blockResample(idx, n, block, rng);
    ps.forEach((p, k) => {
      const d = draws[k];
      if (!d) return;
      const a = auc(p, y, idx);
      if (!Number.isNaN(a)) d.auc.push(a);
      d.brier.push(brier(p, y, idx));
      d.ll.push(logLoss(p, y, idx));
    });
  }
  const qlo = (1 - level) / 2;
  const est = (value: number, xs: number[]): Estimate => {
    xs.sort((a, b) => a - b);
    return { value, lo: percentile(xs, qlo), hi: percentile(xs, 1 - qlo) };
  };
  return ps.map((p, k) => {
    const d = draws[k] ?? { auc: [], brier: [], ll: [] };
    return {
      auc: est(auc(p, y), d.auc),
      brier: est(brier(p, y), d.brier),
      log_loss: est(logLoss(p, y), d.ll),
      n,
      positives,
      block_length: Math.min(Math.max(1, Math.floor(block)), Math.max(1, n)),
    };
  });
}
