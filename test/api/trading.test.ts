import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createToken } from '../../src/api/auth.ts';
import { type RunningServer, startServer } from '../../src/api/server.ts';
import { exportChain } from '../../src/audit/chain.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import type { Db } from '../../src/store/db.ts';
import { listHalts, setHalt, strategyScope } from '../../src/store/repos/execution.ts';
import { testBackends } from '../store/backends.ts';
import { seedTrading, TRADING_EXPECTED } from './trading-fixture.ts';

/**
 * `/api/trading/*` over real loopback HTTP on PGlite and PostgreSQL: orders and positions as the execution
 * repository stored them (expected numbers worked by hand in trading-fixture.ts), the status filter, the kill
 * switch (admin token to halt and resume, stored in execution.halts and audited; a viewer gets 403, no token
 * 401) and 400 JSON on bad input.
 */
const SECRET = 'trading-secret-0123456789abcdef-0123456789';

for (const backend of await testBackends('trading-api')) {
  describe(`trading API (${backend.name})`, () => {
    let db: Db;
    let config: ConfigStore;
    let app: FastifyInstance;
    let server: RunningServer;
    let admin: string;
    let viewer: string;

    beforeAll(async () => {
      db = await backend.open();
      await seedTrading(db);
      config = await ConfigStore.open({ db, live: false });
      app = buildApp({
        db,
        config,
        cache: new MemoryCache(),
        settings: { jwtSecret: SECRET, corsOrigins: [] },
      });
      server = await startServer(app, { port: 0 });
      admin = await createToken({ secret: SECRET, user: 'alice', role: 'admin', ttlSeconds: 600 });
      viewer = await createToken({ secret: SECRET, user: 'victor', role: 'viewer', ttlSeconds: 600 });
    }, 60_000);

    afterAll(async () => {
      await server?.close();
      await config?.close();
      if (db) await backend.dispose(db);
    });

    const call = async (
      path: string,
      init: { method?: string; token?: string; body?: unknown } = {},
    ): Promise<{ status: number; body: Record<string, unknown> }> => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${server.url}${path}`, {
        method: init.method ?? 'GET',
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    it('lists orders newest first with every field, and filters by status', async () => {
      const all = await call('/api/trading/orders');
      expect(all.status).toBe(200);
      const orders = all.body.orders as Array<Record<string, unknown>>;
      expect(orders.map((o) => o.client_order_id)).toEqual([
        'e2e-btc-trim',
        'e2e-btc-takeprofit',
        'e2e-spy-big',
        'e2e-spy-limit',
        'e2e-btc-buy',
      ]);
      for (const o of orders)
        expect(o.status).toBe(
          TRADING_EXPECTED.orders[o.client_order_id as keyof typeof TRADING_EXPECTED.orders],
        );
      const buy = orders.find((o) => o.client_order_id === 'e2e-btc-buy');
      expect(buy).toMatchObject({
        broker: 'paper',
        symbol: 'BTC',
        side: 'buy',
        type: 'market',
        qty: 2,
        limit_price: null,
        filled_qty: 2,
        avg_price: 48_500,
      });
      expect(Object.keys(buy ?? {})).toEqual(
        expect.arrayContaining(['id', 'reason', 'created_at', 'updated_at', 'broker_order_id']),
      );
      const rejected = await call('/api/trading/orders?status=rejected');
      expect(
        (rejected.body.orders as Array<Record<string, unknown>>).map((o) => [o.client_order_id, o.reason]),
      ).toEqual([['e2e-spy-big', 'max_order_notional']]);
      const filled = await call('/api/trading/orders?status=filled&limit=1');
      expect((filled.body.orders as Array<Record<string, unknown>>).map((o) => o.client_order_id)).toEqual([
        'e2e-btc-trim',
      ]);
    });

    it('answers 400 JSON for a bad status or limit', async () => {
      const bad = await call('/api/trading/orders?status=done');
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('invalid_input');
      expect(String(bad.body.message)).toMatch(/partially_filled/);
      expect((await call('/api/trading/orders?limit=0')).status).toBe(400);
      expect((await call('/api/trading/orders?broker=../x')).status).toBe(400);
    });

    it('shows positions at the latest stored close and the P&L', async () => {
      const res = await call('/api/trading/positions');
      expect(res.status).toBe(200);
      const rows = res.body.positions as Array<Record<string, number | string>>;
      expect(rows).toHaveLength(2);
      TRADING_EXPECTED.positions.forEach((want, i) => {
        const got = rows[i];
        expect(got?.broker).toBe(want.broker);
        expect(got?.symbol).toBe(want.symbol);
        for (const k of ['qty', 'avg_price', 'market_value', 'unrealized_pnl'] as const)
          expect(got?.[k] as number).toBeCloseTo(want[k], 9);
      });
      const st = await call('/api/trading/status');
      expect(st.status).toBe(200);
      expect(st.body.halted).toBe(false);
      expect(st.body.reason).toBeNull();
      expect(st.body.pnl_today as number).toBeCloseTo(TRADING_EXPECTED.pnlToday, 9);
      expect(st.body.unrealized_pnl as number).toBeCloseTo(TRADING_EXPECTED.unrealized, 9);
      expect(st.body.unpriced_positions).toBe(0);
      // migration 099's defaults: no notional limits, halt on depeg
      expect(st.body.limits).toEqual({
        max_order_notional: 0,
        max_position_notional: 0,
        max_gross_exposure: 0,
        max_daily_loss: 0,
        halt_on_depeg: true,
      });
    });

    it('halts and resumes with an admin token only, stored and audited', async () => {
      await setHalt(db, strategyScope('ma-crossover'), 'max_daily_loss breached');
      const none = await call('/api/trading/halt', { method: 'POST', body: { reason: 'x' } });
      expect(none.status).toBe(401);
      expect(none.body.error).toBe('unauthorized');
      const denied = await call('/api/trading/halt', {
        method: 'POST',
        token: viewer,
        body: { reason: 'x' },
      });
      expect(denied.status).toBe(403);
      expect(String(denied.body.message)).toMatch(/admin/);
      expect((await listHalts(db)).map((h) => h.scope)).toEqual(['strategy:ma-crossover']);

      const empty = await call('/api/trading/halt', { method: 'POST', token: admin, body: { reason: '  ' } });
      expect(empty.status).toBe(400);
      const extra = await call('/api/trading/halt', {
        method: 'POST',
        token: admin,
        body: { reason: 'x', scope: 'y' },
      });
      expect(extra.status).toBe(400);

      const halted = await call('/api/trading/halt', {
        method: 'POST',
        token: admin,
        body: { reason: 'desk review' },
      });
      expect(halted.status).toBe(200);
      expect(halted.body).toMatchObject({ halted: true, reason: 'desk review' });
      const stored = await listHalts(db);
      expect(stored.map((h) => [h.scope, h.reason, h.actor])).toEqual([
        ['global', 'desk review', 'alice'],
        ['strategy:ma-crossover', 'max_daily_loss breached', 'system'],
      ]);
      expect((await call('/api/trading/status')).body).toMatchObject({ halted: true, reason: 'desk review' });

      expect((await call('/api/trading/resume', { method: 'POST', token: viewer, body: {} })).status).toBe(
        403,
      );
      const resumed = await call('/api/trading/resume', { method: 'POST', token: admin, body: {} });
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({ halted: false, reason: null });
      // resume lifts the global kill switch only: a strategy's own halt (its daily loss) stays
      expect((await listHalts(db)).map((h) => h.scope)).toEqual(['strategy:ma-crossover']);

      const audit = await exportChain(db);
      const trading = audit.entries
        .filter((e) => e.action.startsWith('trading '))
        .map((e) => [e.actor, e.action, e.subject]);
      expect(trading).toEqual([
        ['alice', 'trading halt', 'global'],
        ['alice', 'trading resume', 'global'],
      ]);
    });
  });
}
