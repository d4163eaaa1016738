/** CoinGecko points → domain bars and prices (pure). */
import type { Bar, Interval, PricePoint } from '../../core/types.ts';
import { bucketStart } from '../normalize.ts';
import type { CoinGeckoMarketChart, CoinGeckoSimplePrice } from './schema.ts';

/**
 * Turns CoinGecko's irregular price points into bars: each point falls in the `interval` bucket holding its
 * time; open/close are the first/last point of the bucket, high/low the extremes. Points are sorted and
 * de-duplicated first; null prices are skipped. Only points in `[from, to)` are used, so two requests that
 * share a boundary never build the same bucket twice.
 *
 * Volume: CoinGecko only has a rolling 24-hour volume. For daily bars we take the 24-hour volume of the
 * bucket's last point (about that day's volume); for finer bars volume is 0 rather than an invented split.
 *
 * Granularity is CoinGecko's choice by span (≤ 1 day → 5-minute, ≤ 90 days → hourly, longer → daily at
 * 00:00 UTC); a daily bar built from a single 00:00 point has open = high = low = close.
 */
export function coingeckoBars(
  chart: CoinGeckoMarketChart,
  interval: Interval,
  from: number,
  to: number,
): Bar[] {
  const prices = sortedPoints(chart.prices, from, to);
  const volumes = interval === '1d' ? sortedPoints(chart.total_volumes ?? [], from, to) : [];
  const bars = new Map<number, Bar>();
  for (const [ts, price] of prices) {
    const key = bucketStart(ts, interval);
    const bar = bars.get(key);
    if (bar === undefined) {
      bars.set(key, { ts: key, open: price, high: price, low: price, close: price, volume: 0 });
    } else {
      bar.high = Math.max(bar.high, price);
      bar.low = Math.min(bar.low, price);
      bar.close = price;
    }
  }
  for (const [ts, volume] of volumes) {
    const bar = bars.get(bucketStart(ts, interval));
    if (bar !== undefined) bar.volume = volume;
  }
  return [...bars.values()];
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
