import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError } from '../../core/errors.ts';
import { MODEL_CATALOG } from '../../models/catalog.ts';
import { listModels, modelDetail } from '../../models/service.ts';
import { useApiKeys } from '../api-keys.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { errorResponses } from './common.ts';

const estimate = {
  type: 'object',
  properties: {
    value: { type: ['number', 'null'] },
    lo: { type: ['number', 'null'] },
    hi: { type: ['number', 'null'] },
  },
};
const scores = {
  type: 'object',
  additionalProperties: true,
  properties: {
    auc: estimate,
    brier: estimate,
    log_loss: estimate,
    qlike: estimate,
    mse: estimate,
    n: { type: 'number' },
    positives: { type: 'number' },
    block_length: { type: 'number' },
  },
};
const bins = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      lo: { type: 'number' },
      hi: { type: 'number' },
      count: { type: 'number' },
      mean_p: { type: ['number', 'null'] },
      observed: { type: ['number', 'null'] },
    },
  },
};

/** The model registry (read-only): versions with walk-forward metrics beside the baseline, calibration, forecasts. */
export const modelRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.get(
    '/api/models',
    {
      schema: {
        summary: 'Every stored model version (shape of `models list --json`)',
        tags: ['models'],
        response: {
          200: {
            type: 'object',
            properties: {
              catalog: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { name: { type: 'string' }, description: { type: 'string' } },
                },
              },
              models: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    name: { type: 'string' },
                    version: { type: 'number' },
                    active: { type: 'boolean' },
                    better_than_baseline: { type: 'boolean' },
                    features: { type: 'array', items: { type: 'string' } },
                    train_from: { type: ['string', 'null'] },
                    train_to: { type: ['string', 'null'] },
                    created_at: { type: 'string' },
                    metrics: scores,
                    baseline: scores,
                  },
                },
              },
            },
            required: ['models'],
          },
          ...errorResponses,
        },
      },
    },
    async () => ({
      catalog: Object.entries(MODEL_CATALOG).map(([name, e]) => ({ name, description: e.description })),
      models: (await listModels(reader)).map((v) => ({
        name: v.name,
        version: v.version,
        active: v.active,
        better_than_baseline: v.betterThanBaseline,
        features: v.features,
        train_from: v.trainFrom === null ? null : new Date(v.trainFrom).toISOString(),
        train_to: v.trainTo === null ? null : new Date(v.trainTo).toISOString(),
        created_at: new Date(v.createdAt).toISOString(),
        metrics: v.metrics,
        baseline: v.baseline,
      })),
    }),
  );

  app.get<{ Params: { name: string } }>(
    '/api/models/:name',
    {
      schema: {
        summary:
          "One model's versions with metrics vs baseline, calibration curves and the active version's latest forecasts",
        tags: ['models'],
        params: {
          type: 'object',
          properties: { name: { type: 'string', maxLength: 64 } },
          required: ['name'],
        },
        response: {
          200: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              task: { type: 'string', enum: ['depeg', 'vol', 'regimes'] },
              description: { type: 'string' },
              versions: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    version: { type: 'number' },
                    active: { type: 'boolean' },
                    better_than_baseline: { type: 'boolean' },
                    features: { type: 'array', items: { type: 'string' } },
                    train_from: { type: ['string', 'null'] },
                    train_to: { type: ['string', 'null'] },
                    created_at: { type: 'string' },
                    metrics: scores,
                    baseline: scores,
                    calibration: { type: 'object', properties: { model: bins, baseline: bins } },
                  },
                },
              },
              latest: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    asset: { type: 'string' },
                    ts: { type: 'string' },
                    probability: { type: 'number' },
                  },
                },
              },
            },
            required: ['name', 'versions', 'latest'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      if (!MODEL_CATALOG[req.params.name])
        throw new NotFoundError(
          `unknown model "${req.params.name}" (known: ${Object.keys(MODEL_CATALOG).join(', ')})`,
        );
      return modelDetail(reader, req.params.name);
    },
  );
};
