/** OANDA v20 wire formats (https://developer.oanda.com/rest-live-v20/instrument-ep/). */
import { z } from 'zod';

/** v20 sends prices as decimal strings. */
const Decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'expected a decimal string');

const OandaOhlc = z.object({ o: Decimal, h: Decimal, l: Decimal, c: Decimal });

/** `time` is RFC 3339 with nanoseconds (`2016-10-17T19:35:00.000000000Z`); `complete` false while forming. */
export const OandaCandle = z.object({
  time: z.string(),
  volume: z.number(),
  complete: z.boolean(),
  mid: OandaOhlc.optional(),
  bid: OandaOhlc.optional(),
  ask: OandaOhlc.optional(),
});
export type OandaCandle = z.infer<typeof OandaCandle>;

export const OandaCandlesResponse = z.object({
  instrument: z.string(),
  granularity: z.string(),
  candles: z.array(OandaCandle),
});

/** Error body, e.g. `{"errorMessage":"Invalid value specified for 'instrument'"}`. */
export const OandaErrorBody = z.object({ errorMessage: z.string() });
