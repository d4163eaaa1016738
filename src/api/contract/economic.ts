import { z } from 'zod';
import { errorResponses, QueryDate } from './common.ts';

/**
 * Economic indicators (`GET /api/economic/:series`, FRED): a series' metadata, its observations (latest
 * vintage or as published on a day) and its release dates.
 */

const EconomicParams = z.object({
  series: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[A-Za-z0-9_.-]+$/, 'a series id of letters, digits and _.-'),
});

const EconomicQuery = z.object({
  from: QueryDate.optional(),
  to: QueryDate.optional(),
  as_of: QueryDate.optional().describe('values as published on this day (the vintage then current)'),
  limit: z.coerce.number().int().min(1).max(100000).default(5000),
});

const EconomicSeries = z.object({
  series: z.object({
    id: z.string(),
    title: z.string(),
    frequency: z.string().nullable(),
    units: z.string().nullable(),
    seasonal_adjustment: z.string().nullable(),
    last_updated: z.string().nullable(),
  }),
  observations: z.array(
    z.object({
      date: z.string(),
      /** Null where FRED has no observation ("."). */
      value: z.number().nullable(),
      realtime_start: z.string(),
      realtime_end: z.string(),
    }),
  ),
  releases: z.array(z.object({ release_id: z.number().int(), name: z.string(), release_date: z.string() })),
});

/** Route schemas (OpenAPI document, validation, serialisation). */
export const economicRoutes = {
  series: {
    summary: 'Observations of one economic series, ascending by date',
    description:
      'One value per date: the latest vintage, or with `as_of` the value as published on that day. `value` is null where FRED has no observation (".").',
    tags: ['economic'],
    params: EconomicParams,
    querystring: EconomicQuery,
    response: { 200: EconomicSeries, ...errorResponses },
  },
} as const;
