import { z } from 'zod';
import { errorResponses, TimeText } from './common.ts';

/** Stablecoin circulating supply (`GET /api/supply`, DefiLlama): latest total, per chain, daily history. */

const SupplyQuery = z.object({
  symbol: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'a symbol of letters, digits and ._- (≤ 32)'),
  from: TimeText.optional().describe('ISO date/time'),
  to: TimeText.optional().describe('ISO date/time'),
});

const Point = z.object({ ts: z.string().meta({ format: 'date-time' }), circulating: z.number() });

const Supply = z.object({
  symbol: z.string(),
  latest: Point.nullable().describe('newest stored total, null when none'),
  chains: z
    .array(Point.extend({ chain: z.string() }))
    .describe('newest stored supply per chain, largest first'),
  history: z.array(Point).describe('stored totals from `from` to `to`, oldest first'),
});
export type Supply = z.infer<typeof Supply>;

const SupplyCoins = z.object({
  coins: z
    .array(Point.extend({ symbol: z.string() }))
    .describe('every coin with stored supply, newest total'),
});
export type SupplyCoins = z.infer<typeof SupplyCoins>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const supplyRoutes = {
  get: {
    summary:
      'Circulating supply of one stablecoin: latest total and per chain, daily history (default 90 days)',
    tags: ['market'],
    querystring: SupplyQuery,
    response: { 200: Supply, ...errorResponses },
  },
  coins: {
    summary: 'Every stablecoin with supply stored, with its newest circulating total (by symbol)',
    tags: ['market'],
    response: { 200: SupplyCoins, ...errorResponses },
  },
} as const;
