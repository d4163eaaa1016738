/** Polygon.io wire formats (https://polygon.io/docs/stocks/get_v2_aggs_ticker__stocksticker__range__multiplier___timespan___from___to). */
import { z } from 'zod';

/** One aggregate: t = window start (epoch ms), v = volume, vw = VWAP, n = trades. */
export const PolygonAgg = z.object({
  t: z.number(),
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number().optional(),
  vw: z.number().optional(),
  n: z.number().optional(),
  T: z.string().optional(),
});
export type PolygonAgg = z.infer<typeof PolygonAgg>;

/** `/v2/aggs/ticker/{t}/range/...` and `/v2/aggs/ticker/{t}/prev`. `results` is absent when there are none. */
export const PolygonAggsResponse = z.object({
  status: z.string(),
  ticker: z.string().optional(),
  resultsCount: z.number().optional(),
  results: z.array(PolygonAgg).optional(),
  /** Next page, absolute URL without the API key. */
  next_url: z.string().optional(),
  request_id: z.string().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
});
export type PolygonAggsResponse = z.infer<typeof PolygonAggsResponse>;
