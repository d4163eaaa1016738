/**
 * The time grid a bar series is expected to fill — what "a gap" means — taken from `core/calendar.ts`:
 * - crypto and stablecoins trade 24/7: every interval step (aligned to the Unix epoch) is expected;
 * - FX trades 24/5, Sunday 17:00 → Friday 17:00 America/New_York; daily FX bars Monday–Friday;
 * - equities, ETFs and indices follow the NYSE: daily bars (00:00 UTC of the trading date) on trading days
 *   (weekends and NYSE holidays excluded); intraday bars from the 09:30 ET open every interval until the
 *   close (16:00, or 13:00 on early-close days);
 * - economic series have no grid: nothing is ever "missing".
 */
import { expectedBarTimes as calendarBarTimes } from '../../core/calendar.ts';
import { type AssetClass, INTERVAL_MS, type Interval, type TimeRange } from '../../core/types.ts';

/** Open times (UTC epoch ms, ascending) of the bars expected in [range.from, range.to). */
export function expectedBarTimes(assetClass: AssetClass, interval: Interval, range: TimeRange): number[] {
  return calendarBarTimes(assetClass, interval, range);
}

/** How many bars are expected in [range.from, range.to); arithmetic for 24/7 markets (no array). */
export function expectedBarCount(assetClass: AssetClass, interval: Interval, range: TimeRange): number {
  if (assetClass === 'crypto' || assetClass === 'stablecoin') {
    const step = INTERVAL_MS[interval];
    const first = Math.ceil(range.from / step) * step;
    return first < range.to ? Math.floor((range.to - 1 - first) / step) + 1 : 0;
  }
  return calendarBarTimes(assetClass, interval, range).length;
}
