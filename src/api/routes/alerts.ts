import type { FastifyPluginAsync } from 'fastify';
import { readAlerts } from '../../live/alerts/service.ts';
import { useApiKeys } from '../api-keys.ts';
import { alertRoutes as contract } from '../contract/alerts.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/** Live alerts raised by the streams (shape of `alerts list --json`); `/ws/alerts` pushes new ones. */
export const alertRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const reader = readerOf(deps);
  app.get('/api/alerts', { schema: contract.list }, async (req) => readAlerts(reader, req.query));
};
