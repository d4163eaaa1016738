import type { FastifyPluginAsync } from 'fastify';
import { contagionSummary } from '../../analytics/pairs.ts';
import { CACHE_TTL_SECONDS, cacheKeys } from '../../cache/index.ts';
import { toIso } from '../../core/time.ts';
import { readBestPairs, readLatestCorrelations, type StoredCorrelation } from '../../store/repos/derived.ts';
import { useApiKeys } from '../api-keys.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import {
  cacheAside,
  errorResponses,
  nullableNumber,
  nullableString,
  symbolList,
  windowQuery,
} from './common.ts';

type Pairs = Array<StoredCorrelation & { as_of: number }>;

const pairSchema = {
  type: 'object',
  properties: {
    asset_1: { type: 'string' },
    asset_2: { type: 'string' },
    correlation: nullableNumber,
    data_points: { type: 'number' },
    risk_level: nullableString,
  },
} as const;

const windowOnly = {
  type: 'object',
  properties: { window: { ...windowQuery, default: 90 } },
} as const;

/** Stored correlations (from `analytics correlations` / the demo), the contagion summary and best pairs. */
export const correlationRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const cache = deps.cache;
  const reader = readerOf(deps);

  /** The latest stored pairs of a window, through `correlation_matrix:{window}` when unfiltered. */
  const pairsOf = async (
    windowDays: number,
    assets: string[],
  ): Promise<{ pairs: Pairs; cached: boolean }> => {
    if (assets.length > 0)
      return { pairs: await readLatestCorrelations(reader, windowDays, assets), cached: false };
    const res = await cacheAside(
      cache,
      cacheKeys.correlationMatrix(windowDays),
      CACHE_TTL_SECONDS.correlationMatrix,
      () => readLatestCorrelations(reader, windowDays),
    );
    return { pairs: res.value, cached: res.cached };
  };
  const asOf = (pairs: Pairs) => (pairs[0] ? toIso(pairs[0].as_of) : null);

  app.get<{ Querystring: { window: number; assets?: string } }>(
    '/api/correlations',
    {
      schema: {
        summary: 'Pairwise return correlations of one window, strongest first',
        description:
          'As stored by the last analytics run (`analytics correlations`); shape of `analytics correlations --json`. Cached (`correlation_matrix:{window}`).',
        tags: ['analytics'],
        querystring: {
          type: 'object',
          properties: {
            window: { ...windowQuery, default: 90 },
            assets: {
              type: 'string',
              maxLength: 4000,
              description: 'comma-separated: only pairs among these',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              window_days: { type: 'integer' },
              as_of: nullableString,
              cached: { type: 'boolean' },
              pairs: { type: 'array', items: pairSchema },
            },
            required: ['window_days', 'as_of', 'pairs'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { pairs, cached } = await pairsOf(req.query.window, symbolList(req.query.assets));
      return { window_days: req.query.window, as_of: asOf(pairs), cached, pairs };
    },
  );

  app.get<{ Querystring: { window: number } }>(
    '/api/correlations/contagion',
    {
      schema: {
        summary: 'Contagion risk: pairs per risk level, average correlation and the overall level',
        tags: ['analytics'],
        querystring: windowOnly,
        response: {
          200: {
            type: 'object',
            properties: {
              window_days: { type: 'integer' },
              as_of: nullableString,
              pairs: { type: 'integer' },
              levels: {
                type: 'object',
                properties: {
                  NORMAL: { type: 'integer' },
                  ELEVATED: { type: 'integer' },
                  HIGH: { type: 'integer' },
                  CRITICAL: { type: 'integer' },
                },
              },
              average_correlation: nullableNumber,
              overall: nullableString,
              top: { type: 'array', items: pairSchema },
            },
            required: ['window_days', 'pairs', 'levels'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { pairs } = await pairsOf(req.query.window, []);
      const top = pairs.filter((p) => p.risk_level === 'CRITICAL' || p.risk_level === 'HIGH').slice(0, 20);
      return { window_days: req.query.window, as_of: asOf(pairs), ...contagionSummary(pairs), top };
    },
  );

  app.get<{ Querystring: { window: number } }>(
    '/api/best-pairs',
    {
      schema: {
        summary: 'Best pairs by category: negative (hedges), uncorrelated, moderate, high',
        tags: ['analytics'],
        querystring: windowOnly,
        response: {
          200: {
            type: 'object',
            properties: {
              window_days: { type: 'integer' },
              pairs: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    category: { type: 'string' },
                    rank: { type: 'integer' },
                    asset_1: { type: 'string' },
                    asset_2: { type: 'string' },
                    correlation: { type: 'number' },
                    data_points: { type: 'number' },
                    reason: { type: 'string' },
                  },
                },
              },
            },
            required: ['window_days', 'pairs'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const windowDays = req.query.window;
      // `best_pairs` (DESIGN.md) holds the default 90-day window; other windows read the store.
      const pairs =
        windowDays === 90
          ? (
              await cacheAside(cache, cacheKeys.bestPairs(), CACHE_TTL_SECONDS.bestPairs, () =>
                readBestPairs(reader, 90),
              )
            ).value
          : await readBestPairs(reader, windowDays);
      return { window_days: windowDays, pairs };
    },
  );
};
