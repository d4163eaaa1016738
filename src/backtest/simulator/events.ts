import { ValidationError } from '../../core/errors.ts';
import type { BarColumns } from '../types.ts';

/**
 * A market event injected into (historical or simulated) bars from time `at` on.
 * - `impacts`: permanent level shocks by symbol (−0.3 = prices fall 30 % at the first bar at or after `at`
 *   and stay shifted) — how a stress scenario's asset impacts are applied.
 * - `shapes`: temporary multipliers by symbol for the bars from `at` on (bar j × shape[j]), then back to
 *   the path — how a depeg shaped like a stored event is applied (e.g. USDC March 2023: 1, 0.97, 0.88, …, 1).
 */
export interface MarketEvent {
  name: string;
  at: number;
  impacts?: Record<string, number>;
  shapes?: Record<string, readonly number[]>;
  /**
   * When set, shape[j] applies to bars whose time is in [at + j·step, at + (j+1)·step) — a daily shape on
   * hourly bars covers 24 bars per entry. Unset: shape[j] applies to the j-th bar from `at`.
   */
  shapeStepMs?: number;
}

function scaled(c: BarColumns, from: number, factor: (j: number) => number): BarColumns {
  const out: BarColumns = {
    symbol: c.symbol,
    ts: c.ts,
    open: Float64Array.from(c.open),
    high: Float64Array.from(c.high),
    low: Float64Array.from(c.low),
    close: Float64Array.from(c.close),
    volume: c.volume,
  };
  for (let k = from; k < c.ts.length; k++) {
    const f = factor(k - from);
    if (f === 1) continue;
    if (!(f > 0)) throw new ValidationError(`${c.symbol}: event multiplier must be positive, got ${f}`);
    out.open[k] = (out.open[k] ?? 0) * f;
    out.high[k] = (out.high[k] ?? 0) * f;
    out.low[k] = (out.low[k] ?? 0) * f;
    out.close[k] = (out.close[k] ?? 0) * f;
  }
  return out;
}

/** Returns new series with the event applied; series the event does not name are returned as they are. */
export function applyEvent(series: readonly BarColumns[], event: MarketEvent): BarColumns[] {
  return series.map((c) => {
    let from = 0;
    while (from < c.ts.length && (c.ts[from] ?? 0) < event.at) from++;
    if (from === c.ts.length) return c;
    let out = c;
    const impact = event.impacts?.[c.symbol];
    if (impact !== undefined) {
      if (!(impact > -1))
        throw new ValidationError(`${event.name}: impact for ${c.symbol} must be > −100 %, got ${impact}`);
      out = scaled(out, from, () => 1 + impact);
    }
    const shape = event.shapes?.[c.symbol];
    if (shape !== undefined) {
      const step = event.shapeStepMs;
      const ts = out.ts;
      const at = (j: number): number => {
        const slot = step === undefined ? j : Math.floor(((ts[from + j] ?? 0) - event.at) / step);
        return slot < shape.length ? (shape[slot] ?? 1) : 1;
      };
      out = scaled(out, from, at);
    }
    return out;
  });
}
