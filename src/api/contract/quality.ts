import { z } from 'zod';
import { AnyObject, errorResponses, QueryFlag } from './common.ts';

/**
 * Data quality (`/api/quality/report`, `/api/quarantine`) and the cache's counters (`/api/cache/stats`). The
 * routes validate with these schemas, the OpenAPI document shows them and the Monitor page imports their types.
 */

/** The validation report (the shape of `validate --json`); `errors` lists the failed checks. */
const QualityReport = z.looseObject({
  total_checks: z.number().int(),
  passed: z.number().int(),
  failed: z.number().int(),
  overall_valid: z.boolean(),
  errors: z.array(AnyObject),
  stored: z.boolean().describe('read from ops.validation_reports'),
});

/** A row the quality rules held back, with the rule and reason. */
const QuarantineItem = z.object({
  id: z.number().int(),
  symbol: z.string().nullable(),
  interval: z.string().nullable(),
  source: z.string(),
  rule: z.string(),
  reason: z.string(),
  raw: AnyObject.describe('the row as it arrived'),
  ts: z.string().nullable(),
  created_at: z.string(),
});

const Quarantine = z.object({
  /** Pending rows per rule. */
  counts: z.record(z.string(), z.number().int()),
  items: z.array(QuarantineItem),
});
export type Quarantine = z.infer<typeof Quarantine>;

const CacheStats = z.object({
  backend: z.string(),
  hits: z.number().int(),
  misses: z.number().int(),
  sets: z.number().int().optional(),
  hit_rate: z.number(),
  entries: z.number().int().nullable().optional(),
  degraded: z.boolean(),
  errors: z.number().int().optional(),
});

/** Route schemas (OpenAPI document, validation, serialisation). */
export const qualityRoutes = {
  report: {
    summary: 'The latest stored validation report (shape of `validate --json`)',
    description:
      'From `ops.validation_reports`; when none is stored yet, or with `fresh=true`, the store is validated now (seconds on a large store; one run at a time) and the report stored.',
    tags: ['quality'],
    querystring: z.object({ fresh: QueryFlag.default(false) }),
    response: { 200: QualityReport, ...errorResponses },
  },
  quarantine: {
    summary: 'Pending quarantined rows (newest first) and counts per rule',
    tags: ['quality'],
    querystring: z.object({
      rule: z.string().max(64).optional(),
      symbol: z.string().max(32).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    response: { 200: Quarantine, ...errorResponses },
  },
  cacheStats: {
    summary: 'Cache backend, hits, misses, hit rate, entries and whether it is degraded (Redis down)',
    tags: ['ops'],
    response: { 200: CacheStats, ...errorResponses },
  },
} as const;
