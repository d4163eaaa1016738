/** Stored bars read with the split/dividend adjustment of analytics/adjust.ts applied (the reader beside the math). */
import type { Bar, Interval, TimeRange } from '../core/types.ts';
import type { Queryable } from '../store/db.ts';
import { readBarColumns, readBars } from '../store/repos/bars.ts';
import { readCorporateActions } from '../store/repos/events.ts';
import { type AdjustMode, adjustBars, adjustColumns, type BarColumns } from './adjust.ts';

/**
 * Stored bars of `symbol` in `range`, adjusted with the stored splits and dividends. Bars after the range are
 * read too (for the closes before later ex-dates) unless the mode is raw.
 */
export async function readAdjustedBars(
  db: Queryable,
  symbol: string,
  interval: Interval,
  range: TimeRange,
  mode: AdjustMode,
): Promise<Bar[]> {
  if (mode === 'raw') return readBars(db, symbol, interval, range);
  const all = await readBars(db, symbol, interval, { from: range.from, to: Number.MAX_SAFE_INTEGER });
  const actions = await readCorporateActions(db, symbol);
  const adjusted = adjustBars(all, actions, mode);
  return adjusted.filter((b) => b.ts < range.to);
}

/**
 * `readAdjustedBars` as columns (the analytics and the backtester read these): bars after the range are read
 * too when actions exist, since a dividend's factor depends on the close before its ex-date, which may lie
 * after the range; without actions every mode reads the raw range alone.
 */
export async function readAdjustedBarColumns(
  db: Queryable,
  symbol: string,
  interval: Interval,
  range: TimeRange,
  mode: AdjustMode,
): Promise<BarColumns> {
  if (mode === 'raw') return readBarColumns(db, symbol, interval, range);
  const actions = await readCorporateActions(db, symbol);
  if (actions.splits.length === 0 && actions.dividends.length === 0)
    return readBarColumns(db, symbol, interval, range);
  const all = adjustColumns(
    await readBarColumns(db, symbol, interval, { from: range.from, to: Number.MAX_SAFE_INTEGER }),
    actions,
    mode,
  );
  let n = all.ts.length;
  while (n > 0 && (all.ts[n - 1] ?? 0) >= range.to) n--;
  return {
    ts: all.ts.subarray(0, n),
    open: all.open.subarray(0, n),
    high: all.high.subarray(0, n),
    low: all.low.subarray(0, n),
    close: all.close.subarray(0, n),
    volume: all.volume.subarray(0, n),
  };
}
