import type { FastifyPluginAsync } from 'fastify';
import { parseTime } from '../../core/time.ts';
import { readNews } from '../../store/repos/news.ts';
import { useApiKeys } from '../api-keys.ts';
import { newsRoutes as contract } from '../contract/news.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/** Stored news articles with their sentiment per instrument. */
export const newsRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.get('/api/news', { schema: contract.list }, async (req) => {
    const since = req.query.since === undefined ? undefined : parseTime(req.query.since, 'since');
    return {
      articles: await readNews(reader, { symbol: req.query.symbol, since, limit: req.query.limit }),
    };
  });
};
