/**
 * Outliers: isolated spikes that revert — one bad print — not genuine market moves.
 *
 * For each price pᵢ (time-ordered) the return into it, a = ln(pᵢ/pᵢ₋₁), and out of it, b = ln(pᵢ₊₁/pᵢ),
 * are compared with the median and MAD-based σ (1.4826·MAD, floored at `outlierMinSigma`) of the log
 * returns in a rolling window of `outlierWindow` returns on each side, leaving out a and b themselves, so
 * the spike cannot hide itself by inflating σ; σ is also at least the RMS of the 3 nearest returns on each
 * side, so a genuine trough in a turbulent stretch is judged against its own neighbourhood. pᵢ is an outlier when both a and b are more than
 * `outlierSigma` σ from the median, have opposite signs, and b undoes at least `outlierReversion` of a.
 *
 * A real move (USDC 1.00 → 0.87 over hours in March 2023, below the peg for two days) does not revert
 * within one bar, and in turbulent windows σ grows, so it is stored as it happened. Limits: the first and
 * last points of a series cannot be judged (no return on one side; `validate` judges them later with more
 * context), and a bad print lasting two bars or more is not a single-bar spike.
 */
import type { QualityThresholds } from '../thresholds.ts';

export type OutlierThresholds = Pick<
  QualityThresholds,
  'outlierSigma' | 'outlierWindow' | 'outlierMinSigma' | 'outlierReversion'
>;

export interface OutlierResult {
  /** 1 where the point is an outlier. */
  isOutlier: Uint8Array;
  /** data_quality_score in [0, 1]: 1 for ordinary points, falling as a reverting spike grows in σ. */
  score: Float64Array;
  /** Smaller of the two return z-scores for reverting spike candidates; 0 elsewhere. */
  z: Float64Array;
  /** Number of outliers. */
  count: number;
}

/** Robust σ-units → score: 1 up to 3σ, 0.5 at the threshold k, k/(2z) beyond. */
function scoreFromZ(z: number, k: number): number {
  if (z <= 3) return 1;
  if (z <= k) return 1 - (0.5 * (z - 3)) / Math.max(k - 3, 1e-9);
  return (0.5 * k) / z;
}

/** Returns on each side forming the local scale. */
const LOCAL = 3;

function medianOf(values: number[]): number {
  values.sort((x, y) => x - y);
  const n = values.length;
  const mid = n >> 1;
  return n % 2 ? (values[mid] ?? 0) : ((values[mid - 1] ?? 0) + (values[mid] ?? 0)) / 2;
}

/**
 * Flags reverting single-point spikes in `prices` (positive, time-ordered). Only points whose returns pass a
 * cheap pre-filter (both beyond k·minσ, opposite signs, reverting) pay for the windowed median, so a
 * 10-million-point series costs a few passes over the array.
 */
export function detectSpikes(
  prices: ArrayLike<number>,
  t: OutlierThresholds,
  /**
   * Multiplies `outlierMinSigma` (a per-hour floor) for coarser series: √(hours between points), as a random
   * walk's spread grows, so a 3 % daily move of a stablecoin is not held to an hourly floor. @defaultValue 1
   */
  floorScale = 1,
): OutlierResult {
  const n = prices.length;
  const isOutlier = new Uint8Array(n);
  const score = new Float64Array(n).fill(1);
  const z = new Float64Array(n);
  let count = 0;
  if (n < 3) return { isOutlier, score, z, count };
  const r = new Float64Array(n - 1);
  for (let j = 0; j < n - 1; j++) r[j] = Math.log((prices[j + 1] ?? 0) / (prices[j] ?? 0));
  const k = t.outlierSigma;
  const floor = t.outlierMinSigma * Math.max(1, floorScale);
  const w = t.outlierWindow;
  const window: number[] = [];
  for (let i = 1; i < n - 1; i++) {
    const a = r[i - 1] ?? 0;
    const b = r[i] ?? 0;
    // Pre-filter: opposite signs, both beyond the smallest possible threshold, and b undoes most of a.
    if (a * b >= 0 || Math.abs(a) <= k * floor || Math.abs(b) <= k * floor) continue;
    if (Math.abs(a + b) > (1 - t.outlierReversion) * Math.abs(a)) continue;
    window.length = 0;
    for (let j = Math.max(0, i - 1 - w); j < Math.min(n - 1, i + 1 + w); j++) {
      if (j !== i - 1 && j !== i) window.push(r[j] ?? 0);
    }
    let center = 0;
    let sigma = floor;
    if (window.length >= 4) {
      center = medianOf(window);
      for (let j = 0; j < window.length; j++) window[j] = Math.abs((window[j] ?? 0) - center);
      sigma = Math.max(1.4826 * medianOf(window), floor);
      // Local scale from the nearest returns: in a turbulent stretch (a real crash) the wide window is
      // still dominated by calm hours, but the neighbours of a genuine trough move a lot too.
      let sum = 0;
      let m = 0;
      for (let j = Math.max(0, i - 1 - LOCAL); j < Math.min(n - 1, i + 1 + LOCAL); j++) {
        if (j === i - 1 || j === i) continue;
        const d = (r[j] ?? 0) - center;
        sum += d * d;
        m++;
      }
      if (m >= 2) sigma = Math.max(sigma, Math.sqrt(sum / m));
    }
    const zi = Math.min(Math.abs(a - center), Math.abs(b - center)) / sigma;
    z[i] = zi;
    score[i] = scoreFromZ(zi, k);
    if (zi > k) {
      isOutlier[i] = 1;
      count++;
    }
  }
  return { isOutlier, score, z, count };
}
