import { z } from 'zod';
import { errorResponses } from './common.ts';

/**
 * Stored correlations (`GET /api/correlations`, the shape of `analytics correlations --json`), the contagion
 * summary (`/api/correlations/contagion`) and the best pairs (`/api/best-pairs`).
 */

const CorrelationWindow = z.coerce
  .number()
  .int()
  .min(2)
  .max(3650)
  .default(90)
  .describe('correlation window in days');

const CorrelationsQuery = z.object({
  window: CorrelationWindow,
  assets: z.string().max(4000).optional().describe('comma-separated: only pairs among these'),
});

const WindowQuery = z.object({ window: CorrelationWindow });

/** One pair (asset_1 < asset_2); `risk_level` is the contagion level of ρ (analytics/pairs.ts). */
const CorrelationPair = z.object({
  asset_1: z.string(),
  asset_2: z.string(),
  correlation: z.number().nullable(),
  data_points: z.number(),
  risk_level: z.string().nullable(),
});

const Correlations = z.object({
  window_days: z.number().int(),
  as_of: z.string().nullable(),
  cached: z.boolean().optional(),
  pairs: z.array(CorrelationPair),
});
export type Correlations = z.infer<typeof Correlations>;

const Contagion = z.object({
  window_days: z.number().int(),
  as_of: z.string().nullable(),
  pairs: z.number().int(),
  levels: z.object({
    NORMAL: z.number().int(),
    ELEVATED: z.number().int(),
    HIGH: z.number().int(),
    CRITICAL: z.number().int(),
  }),
  average_correlation: z.number().nullable(),
  overall: z.string().nullable(),
  top: z.array(CorrelationPair).describe('CRITICAL and HIGH pairs, strongest first (≤ 20)'),
});
export type Contagion = z.infer<typeof Contagion>;

/** negative ρ < −0.4 (a hedge) · uncorrelated |ρ| < 0.4 · moderate 0.4 ≤ ρ < 0.7 · high ρ ≥ 0.7. */
const BestPair = z.object({
  category: z.string(),
  rank: z.number().int(),
  asset_1: z.string(),
  asset_2: z.string(),
  correlation: z.number(),
  data_points: z.number(),
  reason: z.string(),
});

const BestPairs = z.object({ window_days: z.number().int(), pairs: z.array(BestPair) });
export type BestPairs = z.infer<typeof BestPairs>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const correlationRoutes = {
  list: {
    summary: 'Pairwise return correlations of one window, strongest first',
    description:
      'As stored by the last analytics run (`analytics correlations`); shape of `analytics correlations --json`. Cached (`correlation_matrix:{window}`).',
    tags: ['analytics'],
    querystring: CorrelationsQuery,
    response: { 200: Correlations, ...errorResponses },
  },
  contagion: {
    summary: 'Contagion risk: pairs per risk level, average correlation and the overall level',
    tags: ['analytics'],
    querystring: WindowQuery,
    response: { 200: Contagion, ...errorResponses },
  },
  bestPairs: {
    summary: 'Best pairs by category: negative (hedges), uncorrelated, moderate, high',
    tags: ['analytics'],
    querystring: WindowQuery,
    response: { 200: BestPairs, ...errorResponses },
  },
} as const;
