import { z } from 'zod';

/**
 * DefiLlama's stablecoin and coin-price wire formats (no key). Amounts are keyed by peg type
 * (`peggedUSD`, `peggedEUR`…); only the coin's own peg type is read.
 */
const Pegged = z.record(z.string(), z.number().nullable());

/** `GET stablecoins.llama.fi/stablecoins?includePrices=true`: every stablecoin with its supply now. */
export const LlamaStablecoinsResponse = z.object({
  peggedAssets: z.array(
    z.object({
      id: z.union([z.string(), z.number()]).transform(String),
      name: z.string(),
      symbol: z.string(),
      gecko_id: z.string().nullable().optional(),
      pegType: z.string(),
      pegMechanism: z.string().optional(),
      circulating: Pegged,
      circulatingPrevDay: Pegged.optional(),
      chainCirculating: z.record(z.string(), z.object({ current: Pegged })).optional(),
      price: z.number().nullable().optional(),
    }),
  ),
});
export type LlamaStablecoinsResponse = z.infer<typeof LlamaStablecoinsResponse>;
export type LlamaStablecoin = LlamaStablecoinsResponse['peggedAssets'][number];

/** `GET stablecoins.llama.fi/stablecoincharts/{all|chain}?stablecoin={id}`: daily supply, oldest first. */
export const LlamaSupplyChart = z.array(
  z.object({
    // Unix seconds, sent as a string.
    date: z.union([z.string(), z.number()]).transform(Number),
    totalCirculating: Pegged,
    totalCirculatingUSD: Pegged.optional(),
  }),
);
export type LlamaSupplyChart = z.infer<typeof LlamaSupplyChart>;

/** `GET coins.llama.fi/prices/current/{coingecko:id,…}`: price per coin key, `timestamp` in Unix seconds. */
export const LlamaPricesResponse = z.object({
  coins: z.record(
    z.string(),
    z.object({
      price: z.number(),
      symbol: z.string().optional(),
      timestamp: z.number(),
      confidence: z.number().optional(),
    }),
  ),
});
export type LlamaPricesResponse = z.infer<typeof LlamaPricesResponse>;

/**
 * `GET coins.llama.fi/chart/{coins}?start=&span=&period=`: per coin key, the stored price nearest each of
 * `span` times from `start` every `period` (within `searchWidth`, default a tenth of the period), ascending;
 * `timestamp` is the observation's own time in Unix seconds, not the time asked for. A coin without data is
 * left out of `coins`.
 */
export const LlamaChartResponse = z.object({
  coins: z.record(
    z.string(),
    z.object({
      symbol: z.string().optional(),
      confidence: z.number().optional(),
      decimals: z.number().optional(),
      prices: z.array(z.object({ timestamp: z.number(), price: z.number() })),
    }),
  ),
});
export type LlamaChartResponse = z.infer<typeof LlamaChartResponse>;
