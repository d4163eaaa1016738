/** Binance spot wire formats (https://developers.binance.com/docs/binance-spot-api-docs/rest-api). */
import { z } from 'zod';

/** Prices and volumes come as decimal strings to keep their precision. */
const Decimal = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'expected a decimal string');

/**
 * One kline: [open time ms, open, high, low, close, volume, close time ms, quote volume, trades,
 * taker buy base volume, taker buy quote volume, unused]. Fields after close time are ignored.
 */
export const BinanceKline = z
  .tuple([z.number(), Decimal, Decimal, Decimal, Decimal, Decimal, z.number()])
  .rest(z.unknown());
export type BinanceKline = z.infer<typeof BinanceKline>;

export const BinanceKlines = z.array(BinanceKline);

/** `/api/v3/ticker/price?symbol=…`. */
export const BinanceTickerPrice = z.object({ symbol: z.string(), price: Decimal });
export type BinanceTickerPrice = z.infer<typeof BinanceTickerPrice>;

/** Error body, e.g. `{"code":-1121,"msg":"Invalid symbol."}`. */
export const BinanceErrorBody = z.object({ code: z.number(), msg: z.string() });
