/** Pure helpers every connector uses to turn provider rows into clean, ascending, de-duplicated bars. */
import { nyseSession, usesNyseCalendar } from '../core/calendar.ts';
import type { AssetClass, Bar, Interval, TimeRange } from '../core/types.ts';
import { INTERVAL_MS } from '../core/types.ts';

/**
 * Sorts by `ts`, keeps one bar per `ts` (the last one seen: providers revise recent bars) and keeps only bars
 * that open inside the half-open `range`.
 */
export function normalizeBars(bars: readonly Bar[], range?: TimeRange): Bar[] {
  const byTs = new Map<number, Bar>();
  for (const bar of bars) {
    if (range !== undefined && (bar.ts < range.from || bar.ts >= range.to)) continue;
    byTs.set(bar.ts, bar);
  }
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Daily bars are keyed by their trading date at 00:00 UTC, whatever the provider stamps them with (Polygon uses
 * midnight New York, Yahoo the session open, OANDA/Binance/CoinGecko midnight UTC). `timeZone` is the venue's.
 */
export function dailyKey(ts: number, timeZone: string): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC')
    return Math.floor(ts / INTERVAL_MS['1d']) * INTERVAL_MS['1d'];
  let format = dayFormatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dayFormatters.set(timeZone, format);
  }
  // en-CA formats as YYYY-MM-DD.
  return Date.parse(`${format.format(ts)}T00:00:00Z`);
}

/** Start of the `interval` bucket holding `ts` (UTC-aligned; for `1d` that is midnight UTC). */
export function bucketStart(ts: number, interval: Interval): number {
  const ms = INTERVAL_MS[interval];
  return Math.floor(ts / ms) * ms;
}

/**
 * Splits `range` into consecutive chunks of at most `maxSpanMs` (the last may be shorter). Used for providers
 * whose granularity or page size depends on the span asked for.
 */
export function splitRange(range: TimeRange, maxSpanMs: number): TimeRange[] {
  const chunks: TimeRange[] = [];
  for (let from = range.from; from < range.to; from += maxSpanMs) {
    chunks.push({ from, to: Math.min(range.to, from + maxSpanMs) });
  }
  return chunks;
}

/**
 * Cleans a stream of provider pages: each page sorted, de-duplicated and cut to `range`; bars already emitted
 * by an earlier page dropped; bars still forming at `now` (see `barEnd`) dropped; empty pages skipped.
 */
export async function* cleanPages(
  pages: AsyncIterable<Bar[]>,
  options: { range: TimeRange; assetClass: AssetClass; interval: Interval; now: number },
): AsyncIterable<Bar[]> {
  let last = Number.NEGATIVE_INFINITY;
  for await (const page of pages) {
    const bars = normalizeBars(page, options.range).filter(
      (bar) => bar.ts > last && barEnd(options.assetClass, options.interval, bar.ts) <= options.now,
    );
    const tail = bars[bars.length - 1];
    if (tail === undefined) continue;
    last = tail.ts;
    yield bars;
  }
}

/**
 * When a bar opening at `ts` is complete: a NYSE daily bar (keyed at 00:00 UTC of its date) at that session's
 * close, so the day's bar is usable the same evening; any other bar at open + interval.
 */
export function barEnd(assetClass: AssetClass, interval: Interval, ts: number): number {
  if (interval === '1d' && usesNyseCalendar(assetClass)) {
    const session = nyseSession(ts);
    if (session !== null) return session.close;
  }
  return ts + INTERVAL_MS[interval];
}
