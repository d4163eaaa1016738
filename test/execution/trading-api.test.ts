/** The trading REST routes over real loopback HTTP: reads, the admin-only kill switch, 4xx on bad input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { createToken } from '../../src/api/auth.ts';
import { type RunningServer, startServer } from '../../src/api/server.ts';
import { MemoryCache } from '../../src/cache/memory.ts';
import { ConfigStore } from '../../src/config/store.ts';
import { DAY_MS, HOUR_MS, startOfUtcDay } from '../../src/core/time.ts';
import type { Db } from '../../src/store/db.ts';
import { upsertBars } from '../../src/store/repos/bars.ts';
import { addFill, insertOrder, transitionOrder } from '../../src/store/repos/execution.ts';
import { upsertInstruments } from '../../src/store/repos/instruments.ts';
import { type TestBackend, testBackends } from '../store/backends.ts';

const SECRET = 'trading-api-secret-0123456789abcdef-0123';
const [backend] = await testBackends('exec_api');
if (backend === undefined) throw new Error('no backend');

describe(`trading API over HTTP (${backend.name})`, () => {
  let db: Db;
  let config: ConfigStore;
  let server: RunningServer;
  let base = '';
  const bearer = async (role: 'admin' | 'viewer') =>
    `Bearer ${await createToken({ secret: SECRET, user: 'ops', role })}`;
  const get = async (path: string) => {
    const r = await fetch(`${base}${path}`);
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const post = async (path: string, body: unknown, auth?: string) => {
    const r = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    db = await backend.open();
    config = await ConfigStore.open({ db, live: false });
    const app = buildApp({
      cache: new MemoryCache(),
      db,
      config,
      settings: { corsOrigins: [], jwtSecret: SECRET },
    });
    server = await startServer(app, { port: 0 });
    base = server.url;
    const now = Date.now();
    await insertOrder(db, {
      clientOrderId: 'a1',
      broker: 'paper',
      symbol: 'BTC',
      side: 'buy',
      type: 'market',
      qty: 2,
      at: now,
    });
    await transitionOrder(db, 'a1', 'filled', { at: now });
    await addFill(db, {
      broker: 'paper',
      clientOrderId: 'a1',
      fillId: 'a1:1',
      symbol: 'BTC',
      side: 'buy',
      qty: 2,
      price: 100,
      fee: 0.5,
      ts: now,
    });
    await insertOrder(db, {
      clientOrderId: 'a2',
      broker: 'paper',
      symbol: 'BTC',
      side: 'sell',
      type: 'market',
      qty: 1,
    });
    await transitionOrder(db, 'a2', 'rejected', { reason: 'risk:max_order_notional: too big' });
  });
  afterAll(async () => {
    await server.close();
    await config.close();
    await (backend as TestBackend).dispose(db);
  });

  it('GET /api/trading/orders lists orders, filtered by status; a bad status is a 400', async () => {
    const all = await get('/api/trading/orders');
    expect(all.status).toBe(200);
    expect((all.body.orders as Array<{ client_order_id: string }>).map((o) => o.client_order_id)).toEqual([
      'a2',
      'a1',
    ]);
    const rej = await get('/api/trading/orders?status=rejected');
    expect(rej.body.orders).toMatchObject([
      { client_order_id: 'a2', status: 'rejected', reason: 'risk:max_order_notional: too big' },
    ]);
    const bad = await get('/api/trading/orders?status=lost');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: expect.any(String), message: expect.stringContaining('status') });
  });

  it('GET /api/trading/positions and /status', async () => {
    const p = await get('/api/trading/positions');
    // no stored bar for BTC in this store: no mark
    expect(p.body).toEqual({
      positions: [
        { broker: 'paper', symbol: 'BTC', qty: 2, avg_price: 100, market_value: null, unrealized_pnl: null },
      ],
    });
    const s = await get('/api/trading/status');
    expect(s.status).toBe(200);
    // realised 0 − fee 0.5 today
    expect(s.body).toMatchObject({ halted: false, reason: null, pnl_today: { realized: -0.5, total: -0.5 } });
    expect(s.body.limits).toMatchObject({ maxOrderNotional: 0, haltOnDepeg: true, live_enabled: false });
  });

  it('P&L today counts a position held over midnight from the close before midnight, not from entry', async () => {
    const now = Date.now();
    const midnight = startOfUtcDay(now);
    await upsertInstruments(db, [
      { symbol: 'ETH', assetClass: 'crypto', name: 'Ether', currency: 'USD', timezone: 'UTC' },
    ]);
    const bar = (interval: '1d' | '1h', ts: number, close: number) => ({
      symbol: 'ETH',
      interval,
      source: 'test',
      ts,
      open: close,
      high: close,
      low: close,
      close,
      volume: 1,
    });
    // yesterday's daily close 200 (the reference), today's first hourly close 230 (the mark)
    await upsertBars(db, [bar('1d', midnight - DAY_MS, 200), bar('1h', midnight, 230)]);
    const fill = async (id: string, qty: number, price: number, ts: number) => {
      await insertOrder(db, {
        clientOrderId: id,
        broker: 'paper',
        symbol: 'ETH',
        side: 'buy',
        type: 'market',
        qty,
        at: ts,
      });
      await transitionOrder(db, id, 'filled', { at: ts });
      await addFill(db, {
        broker: 'paper',
        clientOrderId: id,
        fillId: `${id}:1`,
        symbol: 'ETH',
        side: 'buy',
        qty,
        price,
        fee: 0,
        ts,
      });
    };
    await fill('e1', 2, 150, midnight - 3 * DAY_MS); // three days ago
    await fill('e2', 1, 220, Math.max(midnight, now - HOUR_MS)); // today
    const s = (await get('/api/trading/status')).body as {
      pnl_today: { realized: number; unrealized: number; unrealized_today: number; total: number };
    };
    // ETH 3 @ (2 × 150 + 220) / 3; since entry at the mark 230: 3 × 230 − 520 = 170 (BTC has no bar: left out).
    // Today: the 2 held at midnight from 200 → 2 × 30 = 60, the 1 bought today from 220 → 10; 70 in all.
    // Realised today is still the BTC fee −0.5, so total = −0.5 + 70 = 69.5 (it was −0.5 + 170 before).
    expect(s.pnl_today.realized).toBe(-0.5);
    expect(s.pnl_today.unrealized).toBeCloseTo(170, 9);
    expect(s.pnl_today.unrealized_today).toBeCloseTo(70, 9);
    expect(s.pnl_today.total).toBeCloseTo(69.5, 9);
  });

  it('POST halt/resume need an admin token; bad bodies are 400; the halt shows in status', async () => {
    expect((await post('/api/trading/halt', { reason: 'x' })).status).toBe(401);
    expect((await post('/api/trading/halt', { reason: 'x' }, await bearer('viewer'))).status).toBe(403);
    const bad = await post('/api/trading/halt', { reason: 'x', extra: 1 }, await bearer('admin'));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual(expect.any(String));
    const h = await post('/api/trading/halt', { reason: 'desk closed' }, await bearer('admin'));
    expect(h).toMatchObject({ status: 200, body: { scope: 'global', reason: 'desk closed', actor: 'ops' } });
    expect((await get('/api/trading/status')).body).toMatchObject({ halted: true, reason: 'desk closed' });
    const r = await post('/api/trading/resume', {}, await bearer('admin'));
    expect(r).toMatchObject({ status: 200, body: { scope: 'global', resumed: true } });
    expect((await get('/api/trading/status')).body.halted).toBe(false);
    const audit = await db.query<{ action: string; actor: string }>(
      `SELECT action, actor FROM config.audit_chain WHERE kind = 'risk' ORDER BY seq`,
    );
    expect(audit.rows).toEqual([
      { action: 'halt', actor: 'ops' },
      { action: 'resume', actor: 'ops' },
    ]);
  });
});
