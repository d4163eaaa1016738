import { z } from 'zod';
import { AdjustMode, errorResponses, Interval, NamedRange, SymbolParams } from './common.ts';

/** One instrument's price history (`GET /api/asset/:symbol`) and indicators (`…/indicators`). */

/** A bar as the API sends it (ISO time). */
const Bar = z.object({
  ts: z.string().meta({ format: 'date-time' }),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});
export type Bar = z.infer<typeof Bar>;

const AssetQuery = z.object({
  range: NamedRange.default('1M'),
  adjust: AdjustMode.default('raw').describe(
    'split/dividend adjustment applied when read (analytics/adjust.ts); not for 1D',
  ),
});

const AssetAnswer = z.object({
  symbol: z.string(),
  name: z.string().optional(),
  asset_class: z.string().optional(),
  currency: z.string().optional(),
  range: NamedRange,
  interval: z.string(),
  from: z.string().nullable().optional(),
  to: z.string().nullable().optional(),
  cached: z.boolean().optional().describe('the bars came from the cache'),
  synthetic: z
    .boolean()
    .optional()
    .describe("some stored bars of this instrument are generated (source = 'synthetic', demo data)"),
  /** The cached latest price when fresh, else the last bar. */
  latest: z.object({ price: z.number(), ts: z.string(), source: z.string() }).nullable().optional(),
  change_pct: z.number().nullable().optional().describe('last close vs first close of the range, in %'),
  bars: z.array(Bar),
});
export type AssetAnswer = z.infer<typeof AssetAnswer>;

const IndicatorsQuery = z.object({
  range: NamedRange.default('3M'),
  interval: Interval.default('1d'),
  indicators: z
    .string()
    .max(200)
    .regex(/^[a-zA-Z0-9:, ]*$/)
    .optional()
    .describe('extra columns, e.g. sma:100,ema:12'),
});

/** One bar's indicators: `ts`, `close` and a column per indicator (`sma_20`, `rsi_14`, …; null in warm-up). */
const IndicatorRow = z.record(z.string(), z.union([z.number(), z.string(), z.null()]));
export type IndicatorRow = z.infer<typeof IndicatorRow>;

const IndicatorsAnswer = z.object({
  symbol: z.string(),
  interval: z.string(),
  range: NamedRange.optional(),
  rows: z.array(IndicatorRow),
});
export type IndicatorsAnswer = z.infer<typeof IndicatorsAnswer>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const assetRoutes = {
  get: {
    summary: 'Price history of one instrument for a named range',
    description:
      '1D: hourly bars from the cache (`hourly_data:{symbol}:1D`, 120 s), else from the store. Other ranges: daily bars (cached 60 s). `latest` is the cached latest price when fresh, else the last bar.',
    tags: ['market'],
    params: SymbolParams,
    querystring: AssetQuery,
    response: { 200: AssetAnswer, ...errorResponses },
  },
  indicators: {
    summary: 'Technical indicators of one instrument (SMA, EMA, RSI, MACD, Bollinger, ATR, HV)',
    description:
      'Rows as `analytics indicators SYM --json` plus `sma_50` (the chart draws SMA 20 and 50); warm-up uses all stored bars before the range, so values are null only at the very start of the history. `indicators=sma:100,ema:12` adds columns.',
    tags: ['analytics'],
    params: SymbolParams,
    querystring: IndicatorsQuery,
    response: { 200: IndicatorsAnswer, ...errorResponses },
  },
} as const;
