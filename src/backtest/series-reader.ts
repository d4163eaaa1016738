/** The bars a backtest runs on: stored bars of each symbol, read raw or adjusted for splits and dividends. */
import type { AdjustMode } from '../analytics/adjust.ts';
import { readAdjustedBarColumns } from '../analytics/adjusted-bars-reader.ts';
import { NotFoundError } from '../core/errors.ts';
import { toIso } from '../core/time.ts';
import type { Interval, TimeRange } from '../core/types.ts';
import type { Db } from '../store/db.ts';
import type { BarColumns } from './types.ts';

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
    const c = await readAdjustedBarColumns(db, symbol, interval, range, adjust);
    if (c.ts.length < 2) {
      throw new NotFoundError(
        `${symbol}: ${c.ts.length} ${interval} bar(s) between ${toIso(range.from)} and ${toIso(range.to)}; need at least 2 (ingest or import first)`,
      );
    }
    out.push({ symbol, ...c });
  }
  return out;
}
