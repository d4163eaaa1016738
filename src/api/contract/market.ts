import { z } from 'zod';
import { errorResponses } from './common.ts';

/** The market overview (`GET /api/market`): instruments by asset class with their daily change, top movers. */

/** One instrument with its newest two daily closes; `change_pct` in percent (1.2 = +1.2 %). */
const MarketRow = z.object({
  symbol: z.string(),
  name: z.string(),
  asset_class: z.string(),
  price: z.number().nullable(),
  previous_close: z.number().nullable(),
  change_pct: z.number().nullable(),
  ts: z.string().nullable(),
  source: z.string().nullable().describe("source of the newest daily bar; 'synthetic' = demo data"),
});
export type MarketRow = z.infer<typeof MarketRow>;

const MarketOverview = z.object({
  as_of: z.string(),
  synthetic: z
    .number()
    .int()
    .describe("instruments whose newest daily bar is generated (source = 'synthetic')"),
  asset_classes: z.array(
    z.object({
      asset_class: z.string(),
      count: z.number().int(),
      avg_change_pct: z.number().nullable(),
      instruments: z.array(MarketRow),
    }),
  ),
  movers: z.object({ gainers: z.array(MarketRow), losers: z.array(MarketRow) }),
});
export type MarketOverview = z.infer<typeof MarketOverview>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const marketRoutes = {
  overview: {
    summary: 'Market overview: instruments by asset class with their daily change, and top movers',
    tags: ['market'],
    response: { 200: MarketOverview, ...errorResponses },
  },
} as const;
