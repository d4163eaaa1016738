import type { FastifyPluginAsync } from 'fastify';
import { ValidationError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';
import { latestSupplyTotals, supplyView } from '../../store/repos/supply.ts';
import { useApiKeys } from '../api-keys.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { errorResponses } from './common.ts';

const point = {
  type: 'object',
  properties: { ts: { type: 'string', format: 'date-time' }, circulating: { type: 'number' } },
  required: ['ts', 'circulating'],
} as const;

/** Stablecoin circulating supply (DefiLlama): latest total and per chain, and the daily total history. */
export const supplyRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const reader = readerOf(deps);
  app.get<{ Querystring: { symbol: string; from?: string; to?: string } }>(
    '/api/supply',
    {
      schema: {
        summary:
          'Circulating supply of one stablecoin: latest total and per chain, daily history (default 90 days)',
        tags: ['market'],
        querystring: {
          type: 'object',
          properties: {
            symbol: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,32}$' },
            from: { type: 'string', maxLength: 40, description: 'ISO date/time' },
            to: { type: 'string', maxLength: 40, description: 'ISO date/time' },
          },
          required: ['symbol'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              symbol: { type: 'string' },
              latest: { anyOf: [point, { type: 'null' }] },
              chains: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { chain: { type: 'string' }, ...point.properties },
                  required: ['chain', 'ts', 'circulating'],
                },
              },
              history: { type: 'array', items: point },
            },
            required: ['symbol', 'latest', 'chains', 'history'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const from = req.query.from === undefined ? undefined : parseTime(req.query.from, 'from');
      const to = req.query.to === undefined ? undefined : parseTime(req.query.to, 'to');
      if (from !== undefined && to !== undefined && from > to)
        throw new ValidationError(`from (${req.query.from}) is after to (${req.query.to})`);
      return supplyView(reader, req.query.symbol.toUpperCase(), { from, to });
    },
  );
  app.get(
    '/api/supply/coins',
    {
      schema: {
        summary: 'Every stablecoin with supply stored, with its newest circulating total (by symbol)',
        tags: ['market'],
        response: {
          200: {
            type: 'object',
            properties: {
              coins: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { symbol: { type: 'string' }, ...point.properties },
                  required: ['symbol', 'ts', 'circulating'],
                },
              },
            },
            required: ['coins'],
          },
          ...errorResponses,
        },
      },
    },
    async () => ({ coins: await latestSupplyTotals(reader) }),
  );
};
