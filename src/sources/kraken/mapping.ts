/** Kraken OHLC rows → domain bars (pure), and the pairs it lists. */
import type { Bar, Interval } from '../../core/types.ts';
import type { KrakenOhlcRow } from './schema.ts';

/** Interval in minutes as Kraken's `interval` parameter takes it. */
export const KRAKEN_INTERVALS: Readonly<Partial<Record<Interval, number>>> = Object.freeze({
  '1m': 1,
  '5m': 5,
  '15m': 15,
  '30m': 30,
  '1h': 60,
  '4h': 240,
  '1d': 1440,
});

/**
 * Kraken WebSocket v2 / REST pair names (`BTC/USD`, not `XBT/USD`) of the default universe, used when an
 * instrument carries no explicit `kraken` mapping.
 */
export const KRAKEN_PAIRS: Readonly<Record<string, string>> = Object.freeze({
  BTC: 'BTC/USD',
  ETH: 'ETH/USD',
  SOL: 'SOL/USD',
  XRP: 'XRP/USD',
  ADA: 'ADA/USD',
  DOGE: 'DOGE/USD',
  AVAX: 'AVAX/USD',
  DOT: 'DOT/USD',
  LINK: 'LINK/USD',
  USDC: 'USDC/USD',
  USDT: 'USDT/USD',
  DAI: 'DAI/USD',
  PYUSD: 'PYUSD/USD',
});

/** An OHLC row; empty minutes come as flat zero-volume rows, which we keep (a connected minute without trades). */
export function krakenBar(row: KrakenOhlcRow): Bar {
  return {
    ts: row[0] * 1000,
    open: Number(row[1]),
    high: Number(row[2]),
    low: Number(row[3]),
    close: Number(row[4]),
    volume: Number(row[6]),
  };
}
