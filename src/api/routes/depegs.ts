import type { FastifyPluginAsync } from 'fastify';
import { parseTime } from '../../core/time.ts';
import { readDepegEvents, readDepegStatistics } from '../../store/repos/derived.ts';
import { useApiKeys } from '../api-keys.ts';
import { readerOf } from '../read-db.ts';
import { errorResponses, nullableNumber, nullableString } from './common.ts';
import type { RouteOptions } from './index.ts';

/** Stablecoin depeg events (price below peg by more than the threshold) and per-asset statistics. */
export const depegRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.get<{ Querystring: { asset?: string; since?: string } }>(
    '/api/depegs',
    {
      schema: {
        summary: 'Stored depeg events, newest first (shape of `analytics depegs --json`)',
        tags: ['analytics'],
        querystring: {
          type: 'object',
          properties: {
            asset: { type: 'string', maxLength: 32 },
            since: {
              type: 'string',
              maxLength: 40,
              description: 'ISO date/time: events still under way or ended since',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              events: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    asset: { type: 'string' },
                    start: { type: 'string' },
                    end: nullableString,
                    min_price: { type: 'number' },
                    min_price_at: { type: 'string' },
                    duration_seconds: { type: 'number' },
                    recovery_time_seconds: nullableNumber,
                    severity_score: { type: 'number' },
                    source: { type: 'string' },
                  },
                },
              },
            },
            required: ['events'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const since = req.query.since === undefined ? undefined : parseTime(req.query.since, 'since');
      return { events: await readDepegEvents(reader, { asset: req.query.asset, since }) };
    },
  );

  app.get(
    '/api/depegs/stats',
    {
      schema: {
        summary:
          'Per asset: number of depeg events, worst price, worst severity, average duration and recovery',
        tags: ['analytics'],
        response: {
          200: {
            type: 'object',
            properties: {
              assets: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    asset: { type: 'string' },
                    event_count: { type: 'integer' },
                    worst_price: { type: 'number' },
                    max_severity: { type: 'number' },
                    avg_duration_seconds: { type: 'number' },
                    avg_recovery_time_seconds: nullableNumber,
                  },
                },
              },
            },
            required: ['assets'],
          },
          ...errorResponses,
        },
      },
    },
    async () => ({ assets: await readDepegStatistics(reader) }),
  );
};
