import { ValidationError } from '../core/errors.ts';
import type { BarColumns } from './types.ts';

/**
 * The merged timeline of several instruments: the sorted union of their bar times, and for each instrument
 * the local bar index at each step (-1 when it has no bar then — its market is closed, e.g. an equity on a
 * weekend beside crypto). Calendars therefore come from the data itself.
 */
export interface Timeline {
  ts: Float64Array;
  /** `local[i][step]` = bar index of instrument i at that step, or -1. Null when instrument i has every step. */
  local: Array<Int32Array | null>;
}

function validateColumns(c: BarColumns): void {
  const n = c.ts.length;
  for (const f of ['open', 'high', 'low', 'close'] as const) {
    if (c[f].length !== n) {
      throw new ValidationError(`${c.symbol}: ${f} has ${c[f].length} values but ts has ${n}`);
    }
  }
  let prev = Number.NEGATIVE_INFINITY;
  for (const [k, t] of c.ts.entries()) {
    if (k > 0 && !(t > prev)) {
      throw new ValidationError(
        `${c.symbol}: timestamps must increase strictly (index ${k}: ${t} after ${prev})`,
      );
    }
    prev = t;
  }
}

export function buildTimeline(series: readonly BarColumns[]): Timeline {
  if (series.length === 0) throw new ValidationError('backtest needs at least one instrument');
  for (const s of series) validateColumns(s);
  const first = series[0];
  if (first === undefined) throw new ValidationError('backtest needs at least one instrument');
  const same = series.every((s) => {
    if (s === first) return true;
    if (s.ts.length !== first.ts.length) return false;
    for (let k = 0; k < s.ts.length; k++) if (s.ts[k] !== first.ts[k]) return false;
    return true;
  });
  if (same) return { ts: first.ts, local: series.map(() => null) };
  const all = new Set<number>();
  for (const s of series) for (const t of s.ts) all.add(t);
  const ts = Float64Array.from(all).sort();
  const local = series.map((s) => {
    const map = new Int32Array(ts.length).fill(-1);
    let k = 0;
    for (let step = 0; step < ts.length && k < s.ts.length; step++) {
      if (ts[step] === s.ts[k]) map[step] = k++;
    }
    return map;
  });
  return { ts, local };
}
