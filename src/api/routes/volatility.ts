import type { FastifyPluginAsync } from 'fastify';
import { CACHE_TTL_SECONDS, cacheKeys } from '../../cache/index.ts';
import { NotFoundError } from '../../core/errors.ts';
import { toIso } from '../../core/time.ts';
import type { Interval } from '../../core/types.ts';
import { latestVolatilityMetrics, VOL_COLUMNS } from '../../store/repos/derived.ts';
import { useApiKeys } from '../api-keys.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { instrumentOf } from './asset.ts';
import { cacheAside, errorResponses, nullableNumber, symbolParams } from './common.ts';

/** `GET /api/volatility/:symbol`: the newest stored volatility metrics of an instrument. */
export const volatilityRoutes: FastifyPluginAsync<RouteOptions> = async (app, { deps }) => {
  useApiKeys(app, deps);
  const cache = deps.cache;
  const reader = readerOf(deps);
  app.get<{ Params: { symbol: string }; Querystring: { interval: Interval } }>(
    '/api/volatility/:symbol',
    {
      schema: {
        summary: 'Latest volatility metrics (HV 20/50 annualised, SMA 15/30/50, Bollinger, ATR 14)',
        description: 'As stored by the analytics run; daily interval cached in `metrics:{symbol}` (1 h).',
        tags: ['analytics'],
        params: symbolParams,
        querystring: {
          type: 'object',
          properties: { interval: { type: 'string', enum: ['1h', '4h', '1d'], default: '1d' } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              symbol: { type: 'string' },
              interval: { type: 'string' },
              ts: { type: 'string' },
              ...Object.fromEntries(VOL_COLUMNS.map((f) => [f, nullableNumber])),
            },
            required: ['symbol', 'interval', 'ts'],
          },
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const { symbol } = req.params;
      const interval = req.query.interval;
      await instrumentOf(reader, cache, symbol);
      const load = async () => {
        const [row] = await latestVolatilityMetrics(reader, interval, [symbol]);
        return row ? { ...row, ts: toIso(row.ts) } : null;
      };
      const row =
        interval === '1d'
          ? (await cacheAside(cache, cacheKeys.metrics(symbol), CACHE_TTL_SECONDS.metrics, load)).value
          : await load();
      if (!row) {
        throw new NotFoundError(
          `no ${interval} volatility metrics for ${symbol} yet (run marketpipe analytics volatility)`,
        );
      }
      return row;
    },
  );
};
