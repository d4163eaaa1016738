/** Binance klines → domain bars and prices (pure). */
import type { Bar, Interval, PricePoint } from '../../core/types.ts';
import type { BinanceKline, BinanceTickerPrice } from './schema.ts';

/** Our intervals are all native Binance kline intervals with the same spelling. */
export const BINANCE_INTERVALS: Readonly<Record<Interval, string>> = Object.freeze({
  '1m': '1m',
  '5m': '5m',
  '15m': '15m',
  '30m': '30m',
  '1h': '1h',
  '4h': '4h',
  '1d': '1d',
});

/** Binance error code for an unknown trading pair. */
export const BINANCE_INVALID_SYMBOL = -1121;

export function binanceBar(kline: BinanceKline): Bar {
  return {
    ts: kline[0],
    open: Number(kline[1]),
    high: Number(kline[2]),
    low: Number(kline[3]),
    close: Number(kline[4]),
    volume: Number(kline[5]),
  };
}

export function binancePrice(ticker: BinanceTickerPrice, symbol: string, ts: number): PricePoint {
  return { symbol, ts, price: Number(ticker.price), source: 'binance' };
}
