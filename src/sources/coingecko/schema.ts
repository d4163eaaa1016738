/** CoinGecko API v3 wire formats (https://docs.coingecko.com/reference/introduction). */
import { z } from 'zod';

/** `[epoch ms, value]`; CoinGecko sends null for values it lacks (market caps of young coins). */
const CoinGeckoPoint = z.tuple([z.number(), z.number().nullable()]);

/** `/coins/{id}/market_chart/range`: irregular points; `total_volumes` are rolling 24-hour volumes. */
export const CoinGeckoMarketChart = z.object({
  prices: z.array(CoinGeckoPoint),
  market_caps: z.array(CoinGeckoPoint).optional(),
  total_volumes: z.array(CoinGeckoPoint).optional(),
});
export type CoinGeckoMarketChart = z.infer<typeof CoinGeckoMarketChart>;

/** `/simple/price?…&vs_currencies=usd`: coin id → fields; `last_updated_at` in Unix seconds. */
export const CoinGeckoSimplePrice = z.record(
  z.string(),
  z.object({
    usd: z.number().nullable().optional(),
    usd_market_cap: z.number().nullable().optional(),
    usd_24h_vol: z.number().nullable().optional(),
    usd_24h_change: z.number().nullable().optional(),
    last_updated_at: z.number().nullable().optional(),
  }),
);
export type CoinGeckoSimplePrice = z.infer<typeof CoinGeckoSimplePrice>;
