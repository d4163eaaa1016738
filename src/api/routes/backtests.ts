import type { FastifyPluginAsync } from 'fastify';
import { getBacktest, listBacktests, runBacktest } from '../../backtest/service.ts';
import { ValidationError } from '../../core/errors.ts';
import { useApiKeys } from '../api-keys.ts';
import {
  type BacktestMetrics,
  type BacktestTrade,
  backtestRoutes as contract,
} from '../contract/backtests.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf, readOrPrimary } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/**
 * Backtests over HTTP: built-in strategies only (the CLI also loads strategy modules from files, which a
 * network client must never be able to do — the name pattern admits no path). Schemas: api/contract/backtests.ts.
 */
export const backtestRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);

  app.post('/api/backtests', { schema: contract.run }, async (req) => {
    const { entry, ...b } = req.body;
    if (entry !== undefined && b.strategy !== 'ma-crossover')
      throw new ValidationError('entry applies to strategy ma-crossover only');
    const params = entry === undefined ? b.params : { ...b.params, entry };
    return runBacktest(deps.db, { ...b, params, store: true });
  });

  app.get('/api/backtests', { schema: contract.list }, async (req) => ({
    runs: await listBacktests(readerOf(deps), {
      strategy: req.query.strategy,
      symbol: req.query.symbol?.toUpperCase(),
      limit: req.query.limit,
    }),
  }));

  // A client GETs the run it just POSTed: a replica that has not got it yet defers to the primary.
  app.get('/api/backtests/:id', { schema: contract.get }, async (req) => {
    const run = await readOrPrimary(deps, (db) => getBacktest(db, req.params.id));
    // jsonb the engine wrote (runBacktest stores its TradeJson list and Metrics); the repository reads it untyped.
    return run as typeof run & { trades: BacktestTrade[]; metrics: BacktestMetrics };
  });
};
