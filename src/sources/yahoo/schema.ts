/** Yahoo Finance v8 chart API wire format (undocumented; shape from recorded responses, see fixtures). */
import { z } from 'zod';

/** Quote arrays hold null where Yahoo has no value for a timestamp (halts, thin intraday minutes). */
const Series = z.array(z.number().nullable());

const YahooQuote = z.object({
  open: Series.optional(),
  high: Series.optional(),
  low: Series.optional(),
  close: Series.optional(),
  volume: Series.optional(),
});

const YahooDividend = z.object({ amount: z.number(), date: z.number() });
const YahooSplit = z.object({
  date: z.number(),
  numerator: z.number(),
  denominator: z.number(),
  splitRatio: z.string().optional(),
});

export const YahooChartResult = z.object({
  meta: z.object({
    symbol: z.string(),
    currency: z.string().nullable().optional(),
    exchangeTimezoneName: z.string().optional(),
    regularMarketPrice: z.number().optional(),
    regularMarketTime: z.number().optional(),
    regularMarketVolume: z.number().optional(),
    dataGranularity: z.string().optional(),
  }),
  /** Bar times, Unix seconds. Absent when the span holds no bars (a weekend). */
  timestamp: z.array(z.number()).optional(),
  events: z
    .object({
      dividends: z.record(z.string(), YahooDividend).optional(),
      splits: z.record(z.string(), YahooSplit).optional(),
    })
    .optional(),
  indicators: z.object({
    quote: z.array(YahooQuote),
    adjclose: z.array(z.object({ adjclose: Series.optional() })).optional(),
  }),
});
export type YahooChartResult = z.infer<typeof YahooChartResult>;

export const YahooChartResponse = z.object({
  chart: z.object({
    result: z.array(YahooChartResult).nullable(),
    error: z.object({ code: z.string(), description: z.string() }).nullable(),
  }),
});
export type YahooChartResponse = z.infer<typeof YahooChartResponse>;
