/** CoinGecko points → domain bars and prices (pure). */
import type { Bar, Interval, PricePoint } from '../../core/types.ts';
import { INTERVAL_MS } from '../../core/types.ts';
import { bucketStart } from '../normalize.ts';
import type { CoinGeckoMarketChart, CoinGeckoSimplePrice } from './schema.ts';

/**
 * How far into a bucket a point still counts as the price AT the boundary (the previous bucket's close): CoinGecko
 * samples on the hour (00:00:00 for its daily points, a few seconds past the hour for hourly ones).
 */
export function boundarySnapMs(interval: Interval): number {
  return Math.min(INTERVAL_MS[interval] / 2, 30 * 60_000);
}

/**
 * Turns CoinGecko's irregular price points into bars. A point is the price at an instant, so the bar of
 * `[t, t + interval)` opens at its first point and closes at the price at its end: the first point of the next
 * bucket when that is within `boundarySnapMs` of the boundary, else the bucket's own last point; high/low are
 * the extremes of those. Past 90 days CoinGecko answers one point per day at 00:00 UTC of day D, the price at
 * the END of D−1: it closes D−1 and opens D (stored as D's close before, a day late). Under 90 days the hourly
 * points give the same bars (D+1's 00:00:4x point closes D), so a day's bar no longer depends on the span
 * asked for, and agrees with exchange bars (Binance's 1d bar of D closes at 23:59:59.999 of D).
 *
 * Points are sorted and de-duplicated first; null prices are skipped. Bars start in `[from, to)`; points up to
 * `to + boundarySnapMs` are read to close the last one (the client asks for them).
 *
 * Volume: CoinGecko only has a rolling 24-hour volume. For daily bars we take the 24-hour volume at the bar's
 * close (that day's volume); for finer bars volume is 0 rather than an invented split.
 */
export function coingeckoBars(
  chart: CoinGeckoMarketChart,
  interval: Interval,
  from: number,
  to: number,
): Bar[] {
  const ms = INTERVAL_MS[interval];
  const snap = boundarySnapMs(interval);
  const prices = sortedPoints(chart.prices, from, to + snap);
  const volumes = interval === '1d' ? sortedPoints(chart.total_volumes ?? [], from, to + snap) : [];
  const bars = new Map<number, Bar>();
  for (const [ts, price] of prices) {
    const key = bucketStart(ts, interval);
    let bar = bars.get(key);
    if (bar === undefined) {
      const previous = ts - key < snap ? bars.get(key - ms) : undefined;
      if (previous !== undefined) {
        previous.high = Math.max(previous.high, price);
        previous.low = Math.min(previous.low, price);
        previous.close = price;
      }
      if (key >= to) continue;
      bar = { ts: key, open: price, high: price, low: price, close: price, volume: 0 };
      bars.set(key, bar);
    } else {
      bar.high = Math.max(bar.high, price);
      bar.low = Math.min(bar.low, price);
      bar.close = price;
    }
  }
  const seen = new Set<number>();
  for (const [ts, volume] of volumes) {
    const key = bucketStart(ts, interval);
    const previous = !seen.has(key) && ts - key < snap ? bars.get(key - ms) : undefined;
    seen.add(key);
    if (previous !== undefined) previous.volume = volume;
    const bar = bars.get(key);
    if (bar !== undefined) bar.volume = volume;
  }
  return [...bars.values()].filter((b) => b.ts >= from);
}

/** The raw points as price observations (for the `prices` table), with market cap and 24h volume when given. */
export function coingeckoPoints(
  chart: CoinGeckoMarketChart,
  symbol: string,
  from: number,
  to: number,
): PricePoint[] {
  const caps = new Map(sortedPoints(chart.market_caps ?? [], from, to));
  const volumes = new Map(sortedPoints(chart.total_volumes ?? [], from, to));
  return sortedPoints(chart.prices, from, to).map(([ts, price]) => ({
    symbol,
    ts,
    price,
    source: 'coingecko',
    volume: volumes.get(ts) ?? null,
    marketCap: caps.get(ts) ?? null,
  }));
}

/** Latest price of coin `id` from a `/simple/price` answer; undefined when the coin is absent. */
export function coingeckoLatest(
  body: CoinGeckoSimplePrice,
  id: string,
  symbol: string,
  now: number,
): PricePoint | undefined {
  const entry = body[id];
  if (entry === undefined || entry.usd == null) return undefined;
  return {
    symbol,
    ts: entry.last_updated_at == null ? now : entry.last_updated_at * 1000,
    price: entry.usd,
    source: 'coingecko',
    volume: entry.usd_24h_vol ?? null,
    marketCap: entry.usd_market_cap ?? null,
  };
}

function sortedPoints(
  points: ReadonlyArray<readonly [number, number | null]>,
  from: number,
  to: number,
): Array<[number, number]> {
  const byTs = new Map<number, number>();
  for (const [ts, value] of points) {
    if (value !== null && ts >= from && ts < to) byTs.set(ts, value);
  }
  return [...byTs.entries()].sort((a, b) => a[0] - b[0]);
}
