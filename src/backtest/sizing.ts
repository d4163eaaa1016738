import { ValidationError } from '../core/errors.ts';
import type { StrategyContext } from './types.ts';

/**
 * Position sizing: how much of equity a strategy puts behind a signal.
 * - `fixed`: a constant fraction of equity.
 * - `vol_target`: fraction = target annual volatility / realised annual volatility over `lookback` bars,
 *   capped at `cap` (leverage cap).
 * - `kelly`: the Kelly fraction μ/σ² of per-bar simple returns over `lookback` bars, times `scale`
 *   (half-Kelly = 0.5), clamped to [0, cap]. Full Kelly is notoriously aggressive, hence the cap.
 */
export type Sizing =
  | { kind: 'fixed'; fraction: number }
  | { kind: 'vol_target'; target: number; lookback: number; cap: number; periodsPerYear?: number }
  | { kind: 'kelly'; lookback: number; scale: number; cap: number };

const DEFAULT_SIZING: Sizing = { kind: 'fixed', fraction: 1 };

export function parseSizing(value: unknown): Sizing {
  if (value === undefined || value === null) return DEFAULT_SIZING;
  if (typeof value === 'number') return { kind: 'fixed', fraction: value };
  if (typeof value !== 'object')
    throw new ValidationError(`sizing must be a number or an object, got ${String(value)}`);
  const v = value as Record<string, unknown>;
  const num = (k: string, d: number): number => {
    const x = v[k] ?? d;
    if (typeof x !== 'number' || !Number.isFinite(x))
      throw new ValidationError(`sizing.${k} must be a number, got ${String(x)}`);
    return x;
  };
  switch (v.kind) {
    case 'fixed':
      return { kind: 'fixed', fraction: num('fraction', 1) };
    case 'vol_target':
      return {
        kind: 'vol_target',
        target: num('target', 0.15),
        lookback: num('lookback', 20),
        cap: num('cap', 2),
      };
    case 'kelly':
      return { kind: 'kelly', lookback: num('lookback', 60), scale: num('scale', 0.5), cap: num('cap', 1) };
    default:
      throw new ValidationError(`sizing.kind must be fixed, vol_target or kelly, got ${String(v.kind)}`);
  }
}

/** Mean and sample variance of simple returns of the last `lookback` closes. */
function returnMoments(closes: Float64Array): { mean: number; variance: number; n: number } {
  const n = closes.length - 1;
  if (n < 2) return { mean: Number.NaN, variance: Number.NaN, n };
  let s = 0;
  let ss = 0;
  for (let k = 1; k <= n; k++) {
    const r = (closes[k] ?? 0) / (closes[k - 1] ?? 1) - 1;
    s += r;
    ss += r * r;
  }
  const mean = s / n;
  return { mean, variance: Math.max(0, (ss - n * mean * mean) / (n - 1)), n };
}

/** Fraction of equity (≥ 0) for `symbol` now; 0 when there is not enough history yet. */
export function sizeFraction(
  ctx: StrategyContext,
  symbol: string,
  sizing: Sizing,
  periodsPerYear = 252,
): number {
  switch (sizing.kind) {
    case 'fixed':
      return sizing.fraction;
    case 'vol_target': {
      const m = returnMoments(ctx.history(symbol, 'close', sizing.lookback + 1));
      if (!(m.variance > 0)) return 0;
      const annVol = Math.sqrt(m.variance * (sizing.periodsPerYear ?? periodsPerYear));
      return Math.min(sizing.cap, sizing.target / annVol);
    }
    case 'kelly': {
      const m = returnMoments(ctx.history(symbol, 'close', sizing.lookback + 1));
      if (!(m.variance > 0)) return 0;
      return Math.min(sizing.cap, Math.max(0, (sizing.scale * m.mean) / m.variance));
    }
  }
}
