import { DAY_MS } from '../../core/time.ts';
import type { BarColumns } from '../types.ts';

/** Test/bench helper: bars from closes (and optional opens); high/low span open and close. */
export function seriesOf(
  symbol: string,
  closes: readonly number[],
  options: { opens?: readonly number[]; start?: number; stepMs?: number; ts?: readonly number[] } = {},
): BarColumns {
  const n = closes.length;
  const start = options.start ?? Date.UTC(2024, 0, 1);
  const step = options.stepMs ?? DAY_MS;
  const ts = Float64Array.from(options.ts ?? Array.from({ length: n }, (_, k) => start + k * step));
  const close = Float64Array.from(closes);
  const open = Float64Array.from(options.opens ?? closes.map((c, k) => (k === 0 ? c : (closes[k - 1] ?? c))));
  const high = close.map((c, k) => Math.max(c, open[k] ?? c));
  const low = close.map((c, k) => Math.min(c, open[k] ?? c));
  return { symbol, ts, open, high, low, close };
}
