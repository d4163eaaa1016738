import type { FastifyPluginAsync } from 'fastify';
import { parseTime } from '../../core/time.ts';
import { readNews } from '../../store/repos/news.ts';
import { useApiKeys } from '../api-keys.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { errorResponses, nullableNumber, nullableString } from './common.ts';

/** Stored news articles with their sentiment per instrument. */
export const newsRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.get<{ Querystring: { symbol?: string; since?: string; limit?: number } }>(
    '/api/news',
    {
      schema: {
        summary: 'News articles, newest first, with sentiment (provider scores and our lexicon score)',
        tags: ['news'],
        querystring: {
          type: 'object',
          properties: {
            symbol: { type: 'string', maxLength: 32 },
            since: { type: 'string', maxLength: 40, description: 'ISO date/time' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              articles: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'integer' },
                    url: { type: 'string' },
                    title: { type: 'string' },
                    description: nullableString,
                    source: { type: 'string' },
                    provider: { type: 'string' },
                    published_at: { type: 'string' },
                    language: nullableString,
                    sentiment: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          symbol: { type: 'string' },
                          provider: { type: 'string' },
                          score: { type: 'number' },
                          label: { type: 'string' },
                          relevance: nullableNumber,
                        },
                      },
                    },
                  },
                },
              },
            },
            required: ['articles'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const since = req.query.since === undefined ? undefined : parseTime(req.query.since, 'since');
      return {
        articles: await readNews(reader, { symbol: req.query.symbol, since, limit: req.query.limit }),
      };
    },
  );
};
