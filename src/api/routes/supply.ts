import type { FastifyPluginAsync } from 'fastify';
import { ValidationError } from '../../core/errors.ts';
import { parseTime } from '../../core/time.ts';
import { latestSupplyTotals, supplyView } from '../../store/repos/supply.ts';
import { useApiKeys } from '../api-keys.ts';
import { supplyRoutes as contract } from '../contract/supply.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/** Stablecoin circulating supply (DefiLlama): latest total and per chain, and the daily total history. */
export const supplyRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  const reader = readerOf(deps);
  app.get('/api/supply', { schema: contract.get }, async (req) => {
    const from = req.query.from === undefined ? undefined : parseTime(req.query.from, 'from');
    const to = req.query.to === undefined ? undefined : parseTime(req.query.to, 'to');
    if (from !== undefined && to !== undefined && from > to)
      throw new ValidationError(`from (${req.query.from}) is after to (${req.query.to})`);
    return supplyView(reader, req.query.symbol.toUpperCase(), { from, to });
  });
  app.get('/api/supply/coins', { schema: contract.coins }, async () => ({
    coins: await latestSupplyTotals(reader),
  }));
};
