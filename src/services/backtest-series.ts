/** The bars a backtest runs on: stored bars of each symbol, read raw or adjusted for splits and dividends. */
import { type AdjustMode, adjustColumns } from '../analytics/adjust.ts';
import type { BarColumns } from '../backtest/types.ts';
import { NotFoundError } from '../core/errors.ts';
import { toIso } from '../core/time.ts';
import type { Interval, TimeRange } from '../core/types.ts';
import { readCorporateActions } from '../events/repo.ts';
import type { Db } from '../store/db.ts';
import { readBarColumns } from '../store/repos/bars.ts';

/**
 * Bars of `symbol` in `range`, adjusted in `mode` with its stored splits and dividends — the prices
 * `readAdjustedBars` gives the asset API. Bars after the range are read too when actions exist, because a
 * dividend's factor depends on the close before its ex-date, which may lie after the range.
 */
async function readSeriesColumns(
  db: Db,
  symbol: string,
  interval: Interval,
  range: TimeRange,
  mode: AdjustMode,
): Promise<Omit<BarColumns, 'symbol'>> {
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

/** Each symbol's bars in `range`, adjusted in `adjust`; NotFoundError when one has fewer than 2. */
export async function loadSeries(
  db: Db,
  symbols: readonly string[],
  interval: Interval,
  range: TimeRange,
  adjust: AdjustMode,
): Promise<BarColumns[]> {
  const out: BarColumns[] = [];
  for (const symbol of symbols) {
    const c = await readSeriesColumns(db, symbol, interval, range, adjust);
    if (c.ts.length < 2) {
      throw new NotFoundError(
        `${symbol}: ${c.ts.length} ${interval} bar(s) between ${toIso(range.from)} and ${toIso(range.to)}; need at least 2 (ingest or import first)`,
      );
    }
    out.push({ symbol, ...c });
  }
  return out;
}
