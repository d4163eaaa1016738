import type { FastifyPluginAsync } from 'fastify';
import { readEvents } from '../../store/repos/events.ts';
import { useApiKeys } from '../api-keys.ts';
import { eventRoutes as contract } from '../contract/events.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/** Earnings, dividends, splits and economic releases. */
export const eventRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const reader = readerOf(deps);

  app.get('/api/events', { schema: contract.list }, async (req) => ({
    events: await readEvents(reader, req.query),
  }));
};
