import type { FastifyPluginAsync } from 'fastify';
import { appendAuditNow } from '../../audit/chain.ts';
import type { ConfigStore } from '../../config/store.ts';
import { startOfUtcDay } from '../../core/time.ts';
import type { Queryable } from '../../store/db.ts';
import {
  clearHalt,
  listHalts,
  listOrders,
  listPositions,
  realizedPnlSince,
  setHalt,
} from '../../store/repos/execution.ts';
import { useApiKeys } from '../api-keys.ts';
import { requireRole } from '../auth.ts';
import { tradingRoutes as contract, type TradingStatus } from '../contract/trading.ts';
import type { RouteOptions } from '../deps.ts';
import { readerOf } from '../read-db.ts';
import { useContract } from '../type-provider.ts';

/**
 * Trading over HTTP (schemas: api/contract/trading.ts): orders, positions and the kill switch's state are
 * read like the other data routes; halting and resuming (the global kill switch in `execution.halts`) need an
 * admin token and are audited. Two modules: `tradingRoutes` (public reads) and `tradingAdminRoutes` (mounted
 * in the admin scope, which checks the token).
 */

/** The global kill switch's scope (store/repos/execution.ts `activeHalt` checks it first). */
const GLOBAL = 'global';

async function tradingStatus(db: Queryable, config: ConfigStore, now = Date.now()): Promise<TradingStatus> {
  const [halts, positions, pnlToday] = await Promise.all([
    listHalts(db),
    listPositions(db),
    realizedPnlSince(db, startOfUtcDay(now)),
  ]);
  const global = halts.find((h) => h.scope === GLOBAL);
  let unrealized = 0;
  let unpriced = 0;
  for (const p of positions) {
    if (p.unrealized_pnl === null) unpriced++;
    else unrealized += p.unrealized_pnl;
  }
  const limit = (key: string): number => config.getFloat('risk_limits', key, 0);
  return {
    halted: global !== undefined,
    reason: global?.reason ?? null,
    halts,
    limits: {
      max_order_notional: limit('max_order_notional'),
      max_position_notional: limit('max_position_notional'),
      max_gross_exposure: limit('max_gross_exposure'),
      max_daily_loss: limit('max_daily_loss'),
      halt_on_depeg: config.getBool('risk_limits', 'halt_on_depeg', true),
    },
    pnl_today: pnlToday,
    unrealized_pnl: unrealized,
    unpriced_positions: unpriced,
  };
}

export const tradingRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  useApiKeys(app, deps);

  app.get('/api/trading/orders', { schema: contract.orders }, async (req) => ({
    orders: await listOrders(readerOf(deps), {
      status: req.query.status,
      broker: req.query.broker,
      limit: req.query.limit,
    }),
  }));

  app.get('/api/trading/positions', { schema: contract.positions }, async () => ({
    positions: await listPositions(readerOf(deps)),
  }));

  // The kill switch is read from the primary: a page that just halted must see the halt.
  app.get('/api/trading/status', { schema: contract.status }, async () =>
    tradingStatus(deps.db, deps.config),
  );
};

export const tradingAdminRoutes: FastifyPluginAsync<RouteOptions> = async (plain, { deps }) => {
  const app = useContract(plain);
  const admin = requireRole('admin');

  app.post('/api/trading/halt', { schema: contract.halt, preHandler: admin }, async (req) => {
    const actor = req.user?.user ?? 'unknown';
    await setHalt(deps.db, GLOBAL, req.body.reason, actor);
    await appendAuditNow(deps.db, {
      kind: 'admin',
      actor,
      action: 'trading halt',
      subject: GLOBAL,
      detail: { reason: req.body.reason, client_ip: req.ip },
    });
    return tradingStatus(deps.db, deps.config);
  });

  app.post('/api/trading/resume', { schema: contract.resume, preHandler: admin }, async (req) => {
    const actor = req.user?.user ?? 'unknown';
    const cleared = await clearHalt(deps.db, GLOBAL);
    await appendAuditNow(deps.db, {
      kind: 'admin',
      actor,
      action: 'trading resume',
      subject: GLOBAL,
      detail: { was_halted: cleared, client_ip: req.ip },
    });
    return tradingStatus(deps.db, deps.config);
  });
};
