import type { FastifyPluginAsync } from 'fastify';
import { readObservations, readReleases, requireSeries } from '../../store/repos/economic.ts';
import { useApiKeys } from '../api-keys.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { errorResponses, nullableNumber, nullableString } from './common.ts';

const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

/** Economic indicators (FRED): series metadata, observations (latest vintage or as of a day), release dates. */
export const economicRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.get<{
    Params: { series: string };
    Querystring: { from?: string; to?: string; as_of?: string; limit?: number };
  }>(
    '/api/economic/:series',
    {
      schema: {
        summary: 'Observations of one economic series, ascending by date',
        description:
          'One value per date: the latest vintage, or with `as_of` the value as published on that day. `value` is null where FRED has no observation (".").',
        tags: ['economic'],
        params: {
          type: 'object',
          properties: {
            series: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$' },
          },
          required: ['series'],
        },
        querystring: {
          type: 'object',
          properties: {
            from: date,
            to: date,
            as_of: date,
            limit: { type: 'integer', minimum: 1, maximum: 100000, default: 5000 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              series: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  title: { type: 'string' },
                  frequency: nullableString,
                  units: nullableString,
                  seasonal_adjustment: nullableString,
                  last_updated: nullableString,
                },
              },
              observations: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    date: { type: 'string' },
                    value: nullableNumber,
                    realtime_start: { type: 'string' },
                    realtime_end: { type: 'string' },
                  },
                },
              },
              releases: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    release_id: { type: 'integer' },
                    name: { type: 'string' },
                    release_date: { type: 'string' },
                  },
                },
              },
            },
            required: ['series', 'observations', 'releases'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const id = req.params.series.toUpperCase();
      const series = await requireSeries(reader, id);
      const observations = await readObservations(reader, id, {
        from: req.query.from,
        to: req.query.to,
        asOf: req.query.as_of,
        limit: req.query.limit,
      });
      const releases = await readReleases(reader, { series: id });
      return { series, observations, releases };
    },
  );
};
