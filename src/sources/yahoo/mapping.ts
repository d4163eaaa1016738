/** Yahoo chart results → domain bars, prices and corporate events (pure). */
import type { Bar, Interval, PricePoint } from '../../core/types.ts';
import { dailyKey } from '../normalize.ts';
import type { YahooChartResult } from './schema.ts';

/** Yahoo `interval` for each of our intervals it serves (no 4h). */
export const YAHOO_INTERVALS: Readonly<Partial<Record<Interval, string>>> = Object.freeze({
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '30m': '30m',
  '1h': '60m',
  '1d': '1d',
});

/**
 * Longest span one request may cover per interval (Yahoo serves 1m data 7 days a request and intraday up to
 * 60 days back; hourly about 730 days). Longer ranges are split.
 */
export const YAHOO_MAX_SPAN_MS: Readonly<Partial<Record<Interval, number>>> = Object.freeze({
  '1m': 7 * 86_400_000,
  '5m': 59 * 86_400_000,
  '15m': 59 * 86_400_000,
  '30m': 59 * 86_400_000,
  '1h': 365 * 86_400_000,
  '1d': 20 * 365 * 86_400_000,
});

/**
 * Bars of one chart result. A timestamp whose open/high/low/close is null is skipped (no trade); a null volume
 * is 0. Daily bars are keyed at 00:00 UTC of the trading date in the exchange's zone (Yahoo stamps equities at
 * the session open and FX at local midnight).
 */
export function yahooBars(result: YahooChartResult, interval: Interval, fallbackZone: string): Bar[] {
  const times = result.timestamp ?? [];
  const quote = result.indicators.quote[0] ?? {};
  const zone = result.meta.exchangeTimezoneName ?? fallbackZone;
  const bars: Bar[] = [];
  times.forEach((seconds, i) => {
    const open = quote.open?.[i];
    const high = quote.high?.[i];
    const low = quote.low?.[i];
    const close = quote.close?.[i];
    if (open == null || high == null || low == null || close == null) return;
    const ms = seconds * 1000;
    bars.push({
      ts: interval === '1d' ? dailyKey(ms, zone) : ms,
      open,
      high,
      low,
      close,
      volume: quote.volume?.[i] ?? 0,
    });
  });
  return bars;
}

export interface YahooEvents {
  splits: Array<{ ts: number; numerator: number; denominator: number }>;
  dividends: Array<{ ts: number; amount: number }>;
}

/** Splits and dividends in the result (parsed for later adjustment work; bars are not adjusted here). */
export function yahooEvents(result: YahooChartResult): YahooEvents {
  const splits = Object.values(result.events?.splits ?? {}).map((s) => ({
    ts: s.date * 1000,
    numerator: s.numerator,
    denominator: s.denominator,
  }));
  const dividends = Object.values(result.events?.dividends ?? {}).map((d) => ({
    ts: d.date * 1000,
    amount: d.amount,
  }));
  return {
    splits: splits.sort((a, b) => a.ts - b.ts),
    dividends: dividends.sort((a, b) => a.ts - b.ts),
  };
}

/** The regular-market price in the result's meta, or undefined when Yahoo gives none. */
export function yahooPrice(result: YahooChartResult, symbol: string): PricePoint | undefined {
  const { regularMarketPrice: price, regularMarketTime: time, regularMarketVolume: volume } = result.meta;
  if (price === undefined || time === undefined) return undefined;
  return { symbol, ts: time * 1000, price, source: 'yahoo', volume: volume ?? null };
}
