import type { FastifyPluginAsync } from 'fastify';
import { EVENT_TYPES, type EventType } from '../../core/events.ts';
import { readEvents } from '../../store/repos/events.ts';
import { useApiKeys } from '../api-keys.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { anyObject, errorResponses } from './common.ts';

const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

/** Earnings, dividends, splits and economic releases. */
export const eventRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.get<{ Querystring: { symbol?: string; type?: EventType; from?: string; to?: string; limit?: number } }>(
    '/api/events',
    {
      schema: {
        summary:
          'Events newest first; every row has type, symbol (FRED id for economic) and date, plus its own fields',
        description:
          'dividend: ex_date, record_date, pay_date, amount, currency · split: split_from, split_to, ratio · earnings: estimate, actual, surprise, time_of_day (bmo/amc/dmh) · economic: period, actual, forecast, previous, release_name',
        tags: ['events'],
        querystring: {
          type: 'object',
          properties: {
            symbol: { type: 'string', maxLength: 32 },
            type: { type: 'string', enum: [...EVENT_TYPES] },
            from: date,
            to: date,
            limit: { type: 'integer', minimum: 1, maximum: 2000, default: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { events: { type: 'array', items: anyObject } },
            required: ['events'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => ({ events: await readEvents(reader, req.query) }),
  );
};
