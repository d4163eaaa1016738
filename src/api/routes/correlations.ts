import type { FastifyPluginAsync } from 'fastify';
import { contagionSummary } from '../../analytics/pairs.ts';
import { CACHE_TTL_SECONDS, cacheKeys } from '../../cache/index.ts';
import { toIso } from '../../core/time.ts';
import { readBestPairs, readLatestCorrelations, type StoredCorrelation } from '../../store/repos/derived.ts';
import { useApiKeys } from '../api-keys.ts';
import { correlationRoutes as contract } from '../contract/correlations.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';
import { cacheAside, symbolList } from './common.ts';

type Pairs = Array<StoredCorrelation & { as_of: number }>;

/** Stored correlations (from `analytics correlations` / the demo), the contagion summary and best pairs. */
export const correlationRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
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

  app.get('/api/correlations', { schema: contract.list }, async (req) => {
    const { pairs, cached } = await pairsOf(req.query.window, symbolList(req.query.assets));
    return { window_days: req.query.window, as_of: asOf(pairs), cached, pairs };
  });

  app.get('/api/correlations/contagion', { schema: contract.contagion }, async (req) => {
    const { pairs } = await pairsOf(req.query.window, []);
    const top = pairs.filter((p) => p.risk_level === 'CRITICAL' || p.risk_level === 'HIGH').slice(0, 20);
    return { window_days: req.query.window, as_of: asOf(pairs), ...contagionSummary(pairs), top };
  });

  app.get('/api/best-pairs', { schema: contract.bestPairs }, async (req) => {
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
  });
};
