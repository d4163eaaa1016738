/**
 * Coinbase Exchange wire formats: REST candles
 * (https://docs.cdp.coinbase.com/api-reference/exchange-api/rest-api/products/get-product-candles) and the
 * WebSocket feed's `match`/`last_match`/`heartbeat` messages (https://docs.cdp.coinbase.com/exchange/websocket-feed/channels).
 */
import { z } from 'zod';

const Decimal = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'expected a decimal string');

/** One candle: `[time (epoch s, bucket start), low, high, open, close, volume]` — low/high BEFORE open/close. */
export const CoinbaseCandle = z.tuple([
  z.number(),
  z.number(),
  z.number(),
  z.number(),
  z.number(),
  z.number(),
]);
export type CoinbaseCandle = z.infer<typeof CoinbaseCandle>;
export const CoinbaseCandles = z.array(CoinbaseCandle);

/** `GET /products/{id}/ticker`. */
export const CoinbaseTicker = z.object({ price: Decimal, time: z.string().optional() });
export type CoinbaseTicker = z.infer<typeof CoinbaseTicker>;

/** A trade on the `matches` channel (`last_match` is the same shape, sent once after subscribing). */
export const CoinbaseMatch = z.object({
  type: z.enum(['match', 'last_match']),
  trade_id: z.number().int(),
  sequence: z.number().int(),
  maker_order_id: z.string(),
  taker_order_id: z.string(),
  time: z.string(),
  product_id: z.string(),
  size: Decimal,
  price: Decimal,
  /** The MAKER's side. */
  side: z.enum(['buy', 'sell']),
});
export type CoinbaseMatch = z.infer<typeof CoinbaseMatch>;
