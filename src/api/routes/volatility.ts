import type { FastifyPluginAsync } from 'fastify';
import { CACHE_TTL_SECONDS, cacheKeys } from '../../cache/index.ts';
import { NotFoundError } from '../../core/errors.ts';
import { toIso } from '../../core/time.ts';
import { latestVolatilityMetrics } from '../../store/repos/derived.ts';
import { useApiKeys } from '../api-keys.ts';
import { volatilityRoutes as contract } from '../contract/volatility.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';
import { instrumentOf } from './asset.ts';
import { cacheAside } from './common.ts';

/** `GET /api/volatility/:symbol`: the newest stored volatility metrics of an instrument. */
export const volatilityRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const cache = deps.cache;
  const reader = readerOf(deps);
  app.get('/api/volatility/:symbol', { schema: contract.get }, async (req) => {
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
  });
};
