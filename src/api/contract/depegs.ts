import { z } from 'zod';
import { errorResponses, TimeText } from './common.ts';

/** Stablecoin depeg events (`GET /api/depegs`), one event's prices (`/window`) and per-asset statistics. */

const DepegsQuery = z.object({
  asset: z.string().max(32).optional(),
  since: TimeText.optional().describe('ISO date/time: events still under way or ended since'),
});

/** An event in the shape of `analytics depegs --json` (times ISO; `end` null while under way). */
const DepegEvent = z.object({
  asset: z.string(),
  start: z.string(),
  end: z.string().nullable(),
  min_price: z.number(),
  min_price_at: z.string(),
  duration_seconds: z.number(),
  recovery_time_seconds: z.number().nullable(),
  severity_score: z.number(),
  source: z.string(),
});
export type DepegEvent = z.infer<typeof DepegEvent>;

const DepegEvents = z.object({ events: z.array(DepegEvent) });
export type DepegEvents = z.infer<typeof DepegEvents>;

const WindowQuery = z.object({
  asset: z.string().max(32),
  start: TimeText,
  end: TimeText.optional().describe(
    'omitted for an event still under way: now (at most 366 days after start)',
  ),
});

const DepegWindow = z.object({
  asset: z.string(),
  peg: z.number(),
  /** The finest interval with bars inside the event: the one the detector judged it on. */
  interval: z.string().nullable(),
  event_start: z.string(),
  event_end: z.string(),
  from: z.string(),
  to: z.string(),
  bars: z.array(
    z.object({ ts: z.string(), open: z.number(), high: z.number(), low: z.number(), close: z.number() }),
  ),
  prices: z.array(z.object({ ts: z.string(), price: z.number() })),
});
export type DepegWindow = z.infer<typeof DepegWindow>;

const DepegStatistics = z.object({
  assets: z.array(
    z.object({
      asset: z.string(),
      event_count: z.number().int(),
      worst_price: z.number(),
      max_severity: z.number(),
      avg_duration_seconds: z.number(),
      avg_recovery_time_seconds: z.number().nullable(),
    }),
  ),
});
export type DepegStatistics = z.infer<typeof DepegStatistics>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const depegRoutes = {
  list: {
    summary: 'Stored depeg events, newest first (shape of `analytics depegs --json`)',
    tags: ['analytics'],
    querystring: DepegsQuery,
    response: { 200: DepegEvents, ...errorResponses },
  },
  window: {
    summary: 'Prices around one depeg event at the resolution it was detected on (for its chart)',
    description:
      "Bars of the finest interval stored inside [start, end] (their lows are what the detector judged) and the point prices, with the event's own length (1 day to 1 week) of context each side.",
    tags: ['analytics'],
    querystring: WindowQuery,
    response: { 200: DepegWindow, ...errorResponses },
  },
  stats: {
    summary: 'Per asset: number of depeg events, worst price, worst severity, average duration and recovery',
    tags: ['analytics'],
    response: { 200: DepegStatistics, ...errorResponses },
  },
} as const;
