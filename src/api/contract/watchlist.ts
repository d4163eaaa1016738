import { z } from 'zod';
import { errorResponses } from './common.ts';

/**
 * Latest prices (`GET /api/watchlist?symbols=BTC,ETH`) and the live price message `/ws/prices` pushes
 * (`price_updates`): both are a cached latest price (`latest_price:{symbol}`).
 */

/** Most symbols one watchlist request may ask for. */
export const MAX_WATCHLIST = 200;

const WatchlistQuery = z.object({
  symbols: z.string().max(4000).optional().describe('comma-separated symbols'),
});

/** A latest price as the cache holds it (pipeline/latest.ts `CachedPrice`). */
const LatestPrice = z.object({ symbol: z.string(), price: z.number(), ts: z.string(), source: z.string() });

const Watchlist = z.object({
  items: z.array(LatestPrice.extend({ cached: z.boolean() })),
  errors: z.array(z.object({ symbol: z.string(), error: z.string() })),
});
export type Watchlist = z.infer<typeof Watchlist>;

/**
 * `/ws/prices`: `{type:'price', symbol, price, ts, source}` for each update of a followed symbol, and
 * `snapshot: true` on the cached prices sent on subscribe. A stream price also names its venues.
 */
export const PriceMessage = LatestPrice.extend({
  type: z.literal('price'),
  snapshot: z.boolean().optional(),
  venues: z.array(z.string()).optional(),
});
export type PriceMessage = z.infer<typeof PriceMessage>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const watchlistRoutes = {
  get: {
    summary: 'Latest prices of a list of symbols (cache first, then the store)',
    description: `Without \`symbols\`, every active instrument. At most ${MAX_WATCHLIST} symbols; unknown symbols are listed in \`errors\`.`,
    tags: ['market'],
    querystring: WatchlistQuery,
    response: { 200: Watchlist, ...errorResponses },
  },
} as const;
