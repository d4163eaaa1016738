/** Polygon aggregates → domain bars and prices (pure). */
import type { Bar, Interval, PricePoint } from '../../core/types.ts';
import { dailyKey } from '../normalize.ts';
import type { PolygonAgg } from './schema.ts';

/** `multiplier/timespan` path segment for each of our intervals. */
export const POLYGON_TIMESPANS: Readonly<Record<Interval, readonly [number, string]>> = Object.freeze({
  '1m': [1, 'minute'],
  '5m': [5, 'minute'],
  '15m': [15, 'minute'],
  '30m': [30, 'minute'],
  '1h': [1, 'hour'],
  '4h': [4, 'hour'],
  '1d': [1, 'day'],
});

/**
 * Stock day aggregates start at midnight New York; we key daily bars at 00:00 UTC of the trading date, read in
 * `dailyZone`. Missing volume (some indices) is 0.
 */
export function polygonBar(agg: PolygonAgg, interval: Interval, dailyZone: string): Bar {
  return {
    ts: interval === '1d' ? dailyKey(agg.t, dailyZone) : agg.t,
    open: agg.o,
    high: agg.h,
    low: agg.l,
    close: agg.c,
    volume: agg.v ?? 0,
  };
}

/** The previous session's close as a price point (what `/prev` offers on every plan). */
export function polygonPrice(agg: PolygonAgg, symbol: string): PricePoint {
  return { symbol, ts: agg.t, price: agg.c, source: 'polygon', volume: agg.v ?? null };
}
