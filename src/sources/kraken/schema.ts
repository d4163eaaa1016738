/**
 * Kraken wire formats: REST OHLC (https://docs.kraken.com/api/docs/rest-api/get-ohlc-data) and WebSocket v2
 * `trade` messages (https://docs.kraken.com/api/docs/websocket-v2/trade).
 */
import { z } from 'zod';

const Decimal = z.string().regex(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/, 'expected a decimal string');

/** `[time (epoch s), open, high, low, close, vwap, volume, count]`; prices and volume as strings. */
export const KrakenOhlcRow = z.tuple([
  z.number(),
  Decimal,
  Decimal,
  Decimal,
  Decimal,
  Decimal,
  Decimal,
  z.number(),
]);
export type KrakenOhlcRow = z.infer<typeof KrakenOhlcRow>;

/** `{error: [], result: {<PAIR>: rows, last: <id>}}`; the pair key is Kraken's own name for the pair. */
export const KrakenOhlcBody = z.object({
  error: z.array(z.string()),
  result: z.record(z.string(), z.union([z.array(KrakenOhlcRow), z.number()])).optional(),
});

export const KrakenTickerBody = z.object({
  error: z.array(z.string()),
  result: z.record(z.string(), z.object({ c: z.tuple([Decimal, Decimal]) })).optional(),
});

/** One trade of a v2 `trade` message (several per message). */
const KrakenTrade = z.object({
  symbol: z.string(),
  /** The TAKER's side. */
  side: z.enum(['buy', 'sell']),
  price: z.number(),
  qty: z.number(),
  ord_type: z.string(),
  trade_id: z.number().int(),
  timestamp: z.string(),
});

export const KrakenTradeMessage = z.object({
  channel: z.literal('trade'),
  type: z.enum(['snapshot', 'update']),
  data: z.array(KrakenTrade),
});
