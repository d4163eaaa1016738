/** Coinbase Exchange candles and tickers → domain bars and prices (pure), and the products it lists. */
import type { Bar, Interval, PricePoint } from '../../core/types.ts';
import type { CoinbaseCandle, CoinbaseTicker } from './schema.ts';

/** Granularities (seconds) Coinbase serves natively; 4h is not one of them. */
export const COINBASE_GRANULARITY: Readonly<Partial<Record<Interval, number>>> = Object.freeze({
  '1m': 60,
  '5m': 300,
  '15m': 900,
  '1h': 3600,
  '1d': 86_400,
});

/**
 * Coinbase Exchange USD products of the default universe, used when an instrument carries no explicit
 * `coinbase` mapping (Coinbase converts USDC 1:1 to USD, so it lists no USDC-USD book).
 */
export const COINBASE_PRODUCTS: Readonly<Record<string, string>> = Object.freeze({
  BTC: 'BTC-USD',
  ETH: 'ETH-USD',
  SOL: 'SOL-USD',
  XRP: 'XRP-USD',
  ADA: 'ADA-USD',
  DOGE: 'DOGE-USD',
  AVAX: 'AVAX-USD',
  DOT: 'DOT-USD',
  LINK: 'LINK-USD',
  USDT: 'USDT-USD',
  DAI: 'DAI-USD',
  PYUSD: 'PYUSD-USD',
});

/** A candle reordered to OHLCV; `time` is the bucket start in seconds. */
export function coinbaseBar(candle: CoinbaseCandle): Bar {
  const [time, low, high, open, close, volume] = candle;
  return { ts: time * 1000, open, high, low, close, volume };
}

export function coinbasePrice(ticker: CoinbaseTicker, symbol: string, ts: number): PricePoint {
  return { symbol, ts, price: Number(ticker.price), source: 'coinbase' };
}
