/**
 * Wicks: a bar's high and low are prices like its close, and a bad print can hide in them while open and close
 * look normal (a high of 10× the close in an otherwise calm hour). A real wick is seen around it too: in a crash
 * the adjacent bars trade down as well (UST's 2022-05-11 low of 0.2998 sat between lows of 0.684 and 0.363),
 * and in a turbulent stretch the bars' ranges and returns are wide.
 *
 * A high is a LONE BAD WICK when ln(high / ref) > `wickSigma` · σ, where ref is the highest of the bar's close
 * and the adjacent bars' highs (not its open: one bad point of a provider that samples prices can be both a
 * bar's close and the next bar's open and high), and σ the local scale: the largest of the floor, the RMS of the 3
 * nearest close-to-close log returns on each side (including the bar's own) and the median log range
 * ln(high/low) of the 3 nearest bars on each side. Lows mirror it. Adjacent bars already refused (`skip`) do
 * not count as neighbours. A bar with no neighbour is not judged.
 */
import type { QualityThresholds } from '../thresholds.ts';

export interface WickSeries {
  open: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
  close: ArrayLike<number>;
}

export interface WickFinding {
  field: 'high' | 'low';
  value: number;
  /** The nearest price the wick should have stayed close to (body or adjacent bar). */
  reference: number;
  /** Excursion in local σ. */
  z: number;
}

const LOCAL = 3;

function median(values: number[]): number {
  if (values.length === 0) return 0;
  values.sort((x, y) => x - y);
  const mid = values.length >> 1;
  return values.length % 2 ? (values[mid] ?? 0) : ((values[mid - 1] ?? 0) + (values[mid] ?? 0)) / 2;
}

/**
 * The lone bad wick of bar `i` (time-ordered series), or null. `floor` is the σ floor in log units; `skip` marks
 * bars not to use as neighbours.
 */
export function findWick(
  s: WickSeries,
  i: number,
  t: Pick<QualityThresholds, 'wickSigma'>,
  floor: number,
  skip?: ArrayLike<number>,
): WickFinding | null {
  const n = s.close.length;
  if (n < 2) return null;
  const at = (a: ArrayLike<number>, j: number): number => a[j] ?? Number.NaN;
  const h = at(s.high, i);
  const l = at(s.low, i);
  const c = at(s.close, i);
  let before = i - 1;
  while (before >= 0 && skip?.[before]) before--;
  let after = i + 1;
  while (after < n && skip?.[after]) after++;
  if (before < 0 && after >= n) return null;
  // Cheap pre-filter: nothing sticks out of the close and the adjacent bars' extremes by more than the floor.
  let refHigh = c;
  let refLow = c;
  if (before >= 0) {
    refHigh = Math.max(refHigh, at(s.high, before));
    refLow = Math.min(refLow, at(s.low, before));
  }
  if (after < n) {
    refHigh = Math.max(refHigh, at(s.high, after));
    refLow = Math.min(refLow, at(s.low, after));
  }
  // ln(x) > limit ⇔ x > e^limit: no logarithm for the ordinary bar.
  const factor = Math.exp(t.wickSigma * floor);
  if (!(h > refHigh * factor) && !(l * factor < refLow)) return null;
  const up = Math.log(h / refHigh);
  const down = Math.log(refLow / l);

  let sum = 0;
  let m = 0;
  const ranges: number[] = [];
  for (let j = Math.max(1, i - LOCAL); j <= Math.min(n - 1, i + LOCAL + 1); j++) {
    if (skip?.[j] || skip?.[j - 1]) continue;
    const r = Math.log(at(s.close, j) / at(s.close, j - 1));
    if (Number.isFinite(r)) {
      sum += r * r;
      m++;
    }
  }
  for (let j = Math.max(0, i - LOCAL); j <= Math.min(n - 1, i + LOCAL); j++) {
    if (j !== i && !skip?.[j]) ranges.push(Math.log(at(s.high, j) / at(s.low, j)));
  }
  const sigma = Math.max(floor, m > 0 ? Math.sqrt(sum / m) : 0, median(ranges));
  if (up > t.wickSigma * sigma) return { field: 'high', value: h, reference: refHigh, z: up / sigma };
  if (down > t.wickSigma * sigma) return { field: 'low', value: l, reference: refLow, z: down / sigma };
  return null;
}
