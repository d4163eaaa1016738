/** OANDA candles → domain bars and prices (pure). */
import { parseTime } from '../../core/time.ts';
import type { Bar, Interval, PricePoint } from '../../core/types.ts';
import { BadPayloadError } from '../errors.ts';
import type { OandaCandle } from './schema.ts';

/** v20 granularity for each of our intervals. */
export const OANDA_GRANULARITIES: Readonly<Record<Interval, string>> = Object.freeze({
  '1m': 'M1',
  '5m': 'M5',
  '15m': 'M15',
  '30m': 'M30',
  '1h': 'H1',
  '4h': 'H4',
  '1d': 'D',
});

/** Which side of the book: M = mid, B = bid, A = ask. */
export type OandaPrice = 'M' | 'B' | 'A';
const SIDE = { M: 'mid', B: 'bid', A: 'ask' } as const;

/** Epoch ms of a v20 time (RFC 3339 with nanoseconds, or UNIX seconds with a fraction). */
export function oandaTime(text: string, field: string): number {
  try {
    return parseTime(text, field);
  } catch (err) {
    throw new BadPayloadError('oanda', field, `unreadable time "${text}"`, { cause: err });
  }
}

/** A complete candle as a bar; undefined for one still forming (never stored). */
export function oandaBar(candle: OandaCandle, price: OandaPrice, index: number): Bar | undefined {
  if (!candle.complete) return undefined;
  const side = SIDE[price];
  const ohlc = candle[side];
  if (ohlc === undefined)
    throw new BadPayloadError('oanda', `candles[${index}].${side}`, `missing (asked price=${price})`);
  return {
    ts: oandaTime(candle.time, `candles[${index}].time`),
    open: Number(ohlc.o),
    high: Number(ohlc.h),
    low: Number(ohlc.l),
    close: Number(ohlc.c),
    // Tick volume: the number of price updates in the candle, the only volume OTC FX has.
    volume: candle.volume,
  };
}

/** Latest price: the close of the newest candle, stamped now when it is still forming. */
export function oandaPrice(
  candle: OandaCandle,
  price: OandaPrice,
  symbol: string,
  now: number,
  stepMs: number,
): PricePoint {
  const side = SIDE[price];
  const ohlc = candle[side];
  if (ohlc === undefined)
    throw new BadPayloadError('oanda', `candles[].${side}`, `missing (asked price=${price})`);
  const open = oandaTime(candle.time, 'candles[].time');
  return {
    symbol,
    ts: candle.complete ? open + stepMs : now,
    price: Number(ohlc.c),
    source: 'oanda',
    volume: candle.volume,
  };
}
