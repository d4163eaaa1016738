import type { FastifyPluginAsync } from 'fastify';
import { readAlerts } from '../../live/alerts/service.ts';
import { ALERT_TYPES } from '../../store/repos/alerts.ts';
import { useApiKeys } from '../api-keys.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { anyObject, errorResponses, nullableString } from './common.ts';

const alertSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    type: { type: 'string', enum: [...ALERT_TYPES] },
    asset: { type: 'string' },
    ts: { type: 'string', format: 'date-time' },
    price: { type: 'number' },
    threshold: { type: 'number' },
    venues: { type: 'array', items: { type: 'string' } },
    state: { type: 'string', enum: ['open', 'recovered'] },
    recovered_at: nullableString,
    details: anyObject,
  },
  required: ['id', 'type', 'asset', 'ts', 'price', 'threshold', 'venues', 'state'],
} as const;

/** Live alerts raised by the streams (shape of `alerts list --json`); `/ws/alerts` pushes new ones. */
export const alertRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const reader = readerOf(deps);
  app.get<{ Querystring: { type?: string; since?: string; asset?: string; limit?: number } }>(
    '/api/alerts',
    {
      schema: {
        summary: 'Stored live alerts (depeg episodes), newest first; open ones are always included',
        tags: ['alerts'],
        querystring: {
          type: 'object',
          properties: {
            type: { type: 'string', maxLength: 32, description: 'depeg' },
            since: { type: 'string', maxLength: 40, description: 'ISO date/time or Unix seconds' },
            asset: { type: 'string', maxLength: 32 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { alerts: { type: 'array', items: alertSchema } },
            required: ['alerts'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => readAlerts(reader, req.query),
  );
};
