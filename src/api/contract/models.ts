import { z } from 'zod';
import { errorResponses } from './common.ts';

/** The model registry (`GET /api/models`, `/api/models/:name`), read-only. */

/** A bootstrapped metric: point estimate and its interval. */
const Estimate = z.object({
  value: z.number().nullable().optional(),
  lo: z.number().nullable().optional(),
  hi: z.number().nullable().optional(),
});
export type Estimate = z.infer<typeof Estimate>;

/** Walk-forward scores (models/metrics.ts); a model may add its own (e.g. `onset`, `folds`). */
const Scores = z.looseObject({
  auc: Estimate.optional(),
  brier: Estimate.optional(),
  log_loss: Estimate.optional(),
  qlike: Estimate.optional(),
  mse: Estimate.optional(),
  n: z.number().optional(),
  positives: z.number().optional(),
  /** Moving-block bootstrap block length behind the intervals. */
  block_length: z.number().optional(),
});
export type ModelScores = z.infer<typeof Scores>;

const CalibrationBin = z.object({
  lo: z.number(),
  hi: z.number(),
  count: z.number(),
  mean_p: z.number().nullable(),
  observed: z.number().nullable(),
});
export type CalibrationBin = z.infer<typeof CalibrationBin>;

const VersionFields = {
  version: z.number(),
  active: z.boolean(),
  better_than_baseline: z.boolean(),
  features: z.array(z.string()),
  train_from: z.string().nullable(),
  train_to: z.string().nullable(),
  created_at: z.string(),
  metrics: Scores,
  baseline: Scores,
};

const ModelList = z.object({
  catalog: z.array(z.object({ name: z.string(), description: z.string() })),
  models: z.array(z.object({ name: z.string(), ...VersionFields })),
});
export type ModelList = z.infer<typeof ModelList>;

const ModelDetail = z.object({
  name: z.string(),
  task: z.enum(['depeg', 'vol', 'regimes']).optional(),
  description: z.string().optional(),
  versions: z.array(
    z.object({
      ...VersionFields,
      calibration: z.object({ model: z.array(CalibrationBin), baseline: z.array(CalibrationBin) }),
    }),
  ),
  /** The active version's latest probability forecasts. */
  latest: z.array(z.object({ asset: z.string(), ts: z.string(), probability: z.number() })),
});
export type ModelDetail = z.infer<typeof ModelDetail>;

/** Route schemas (OpenAPI document, validation, serialisation). */
export const modelRoutes = {
  list: {
    summary: 'Every stored model version (shape of `models list --json`)',
    tags: ['models'],
    response: { 200: ModelList, ...errorResponses },
  },
  get: {
    summary:
      "One model's versions with metrics vs baseline, calibration curves and the active version's latest forecasts",
    tags: ['models'],
    params: z.object({ name: z.string().max(64) }),
    response: { 200: ModelDetail, ...errorResponses },
  },
} as const;
