import type { FastifyPluginAsync } from 'fastify';
import { NotFoundError } from '../../core/errors.ts';
import { MODEL_CATALOG } from '../../models/catalog.ts';
import { listModels, modelDetail } from '../../models/service.ts';
import { useApiKeys } from '../api-keys.ts';
import { modelRoutes as contract, type ModelScores } from '../contract/models.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/** The model registry (read-only): versions with walk-forward metrics beside the baseline, calibration, forecasts. */
export const modelRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.get('/api/models', { schema: contract.list }, async () => ({
    catalog: Object.entries(MODEL_CATALOG).map(([name, e]) => ({ name, description: e.description })),
    models: (await listModels(reader)).map((v) => ({
      name: v.name,
      version: v.version,
      active: v.active,
      better_than_baseline: v.betterThanBaseline,
      features: [...v.features],
      train_from: v.trainFrom === null ? null : new Date(v.trainFrom).toISOString(),
      train_to: v.trainTo === null ? null : new Date(v.trainTo).toISOString(),
      created_at: new Date(v.createdAt).toISOString(),
      // jsonb the trainer wrote (models/service.ts TrainMetrics); the repository reads it untyped.
      metrics: v.metrics as ModelScores,
      baseline: v.baseline as ModelScores,
    })),
  }));

  app.get('/api/models/:name', { schema: contract.get }, async (req) => {
    if (!MODEL_CATALOG[req.params.name])
      throw new NotFoundError(
        `unknown model "${req.params.name}" (known: ${Object.keys(MODEL_CATALOG).join(', ')})`,
      );
    const detail = await modelDetail(reader, req.params.name);
    return {
      ...detail,
      versions: detail.versions.map((v) => ({
        ...v,
        features: [...v.features],
        metrics: v.metrics as ModelScores,
        baseline: v.baseline as ModelScores,
      })),
    };
  });
};
