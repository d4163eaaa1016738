import type { FastifyPluginAsync } from 'fastify';
import { haltTrading, resumeTrading, tradingStatus } from '../../execution/service.ts';
import { listOrders, listPositions } from '../../store/repos/execution.ts';
import { useApiKeys } from '../api-keys.ts';
import { requireRole } from '../auth.ts';
import { tradingRoutes as contract } from '../contract/trading.ts';
import type { RouteOptions } from '../deps.ts';
import { useContract } from '../type-provider.ts';

/**
 * Trading reads: orders, positions, status (schemas: api/contract/trading.ts). Read from the primary: an
 * order just stored must show at once.
 */
export const tradingRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);
  app.get('/api/trading/orders', { schema: contract.orders }, async (req) => ({
    orders: (await listOrders(deps.db, { status: req.query.status, limit: req.query.limit })).map(
      ({ broker_order_id: _b, strategy: _s, run_id: _r, ...o }) => o,
    ),
  }));
  app.get('/api/trading/positions', { schema: contract.positions }, async () => ({
    positions: (await listPositions(deps.db)).map(({ realized_pnl: _r, ...p }) => p),
  }));
  app.get('/api/trading/status', { schema: contract.status }, async () =>
    tradingStatus(deps.db, deps.config),
  );
};

/** The kill switch over HTTP: admin JWT with the admin role; the audit trail names the user. */
export const tradingAdminRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  app.post('/api/trading/halt', { preHandler: requireRole('admin'), schema: contract.halt }, async (req) =>
    haltTrading(deps.db, {
      reason: req.body.reason,
      strategy: req.body.strategy,
      actor: req.user?.user ?? 'admin',
    }),
  );
  app.post(
    '/api/trading/resume',
    { preHandler: requireRole('admin'), schema: contract.resume },
    async (req) => resumeTrading(deps.db, { strategy: req.body?.strategy, actor: req.user?.user ?? 'admin' }),
  );
};
